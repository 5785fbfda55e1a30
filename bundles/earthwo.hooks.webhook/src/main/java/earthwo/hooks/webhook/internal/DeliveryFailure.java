package earthwo.hooks.webhook.internal;

/**
 * A POST that did not acknowledge its batch: a status other than 2xx (with the start of the
 * answer's body), or no answer (I/O error, timeout, the webhook stopped). The dispatcher logs
 * the message and delivers the batch again later.
 */
final class DeliveryFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** Characters of the receiver's answer kept in the message: enough to read its error, not a page. */
    static final int MAX_BODY_CHARS = 200;

    private final int status;

    DeliveryFailure(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or -1 when there was no answer. */
    int status() {
        return status;
    }

    /** At most {@value #MAX_BODY_CHARS} characters of a body, on one line (control characters become spaces). */
    static String excerpt(String body) {
        String s = body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) : body;
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString().strip();
    }
}

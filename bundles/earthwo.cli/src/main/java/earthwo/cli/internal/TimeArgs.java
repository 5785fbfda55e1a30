package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.Expiry;

/**
 * Parses the time arguments of the expiry commands ({@code --ttl}, {@code --expire-at},
 * {@code expire}, {@code expireat}). A number no node could accept is a usage error (exit 64)
 * with a message saying what was wrong, so that typos never reach the cluster; whether a time is
 * in the future is left to the node, whose clock decides.
 */
final class TimeArgs {

    private TimeArgs() {
    }

    /**
     * A time to live in milliseconds, at most what reaches year 9999 from this machine's clock.
     *
     * @param allowZero whether 0 is accepted ({@code expire KEY 0} deletes; a put's {@code --ttl 0} is refused)
     */
    static long ttlMillis(String text, String name, boolean allowZero) {
        expiryAfter(System.currentTimeMillis(), text, name, allowZero);
        return number(text, name);
    }

    /** The absolute expiry of a time to live counted from {@code nowMillis} (a put's {@code --ttl}). */
    static long expiryAfter(long nowMillis, String text, String name, boolean allowZero) {
        long ms = number(text, name);
        try {
            return Expiry.fromTtl(nowMillis, ms, allowZero);
        } catch (EarthwoException e) {
            throw new UsageException(name + " must be " + (allowZero ? "0 or more" : "positive")
                    + " milliseconds ending by year 9999, not " + text);
        }
    }

    /**
     * An absolute expiry in epoch milliseconds, up to {@link Expiry#MAX_EXPIRES_AT}.
     *
     * @param allowZero whether epoch 0 is accepted: {@code expireat KEY 0} is a time long past (it
     *        deletes the key), but a put cannot send it, because 0 on a put means "no expiry"
     */
    static long epochMillis(String text, String name, boolean allowZero) {
        long ms = number(text, name);
        long min = allowZero ? 0 : 1;
        if (ms < min || ms > Expiry.MAX_EXPIRES_AT) {
            throw new UsageException(name + " must be an epoch time in milliseconds from " + min + " to "
                    + Expiry.MAX_EXPIRES_AT + " (year 9999), not " + text);
        }
        return ms;
    }

    private static long number(String text, String name) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            if (text.matches("[-+]?[0-9]+")) {
                throw new UsageException(name + " is too large: " + text);
            }
            throw new UsageException(name + " needs a number of milliseconds, not '" + text + "'");
        }
    }
}

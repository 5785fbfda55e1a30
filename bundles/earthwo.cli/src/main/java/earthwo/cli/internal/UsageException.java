package earthwo.cli.internal;

/** A command line the CLI cannot understand; exit code 64 (EX_USAGE). */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}

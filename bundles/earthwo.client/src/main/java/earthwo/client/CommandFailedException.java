package earthwo.client;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

/**
 * An admin command (EXEC) that ran and reported failure. Its code is BAD_REQUEST (the API has
 * no dedicated code yet); {@link #output()} is what the command printed.
 */
public final class CommandFailedException extends EarthwoException {

    private static final long serialVersionUID = 1L;

    private final String output;

    public CommandFailedException(String output) {
        super(ErrorCode.BAD_REQUEST, "command failed: " + firstLine(output));
        this.output = output == null ? "" : output;
    }

    public String output() {
        return output;
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no output)";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}

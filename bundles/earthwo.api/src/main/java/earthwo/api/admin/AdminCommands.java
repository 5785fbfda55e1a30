package earthwo.api.admin;

/**
 * Runs an operator command (a Gogo command line such as {@code node:status}) and returns what it
 * printed. Registered by the shell bundle; the server offers it to remote clients that present
 * the node's admin secret (`bin/earthwo exec`, `bin/earthwo shell`).
 */
public interface AdminCommands {

    /** Runs one command line; returns its output. Throws with a readable message on failure. */
    Result execute(String commandLine);

    /** Output of a command and whether it failed. */
    final class Result {
        private final boolean ok;
        private final String output;

        public Result(boolean ok, String output) {
            this.ok = ok;
            this.output = output;
        }

        public boolean ok() {
            return ok;
        }

        public String output() {
            return output;
        }
    }
}

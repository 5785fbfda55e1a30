package earthwo.shell.internal;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Limits of Gogo command lines run remotely ({@code bin/earthwo exec} / {@code shell}) by
 * {@link GogoAdminCommands}, resolved with {@link NodeProperties}: component configuration (PID
 * {@value #PID}), then framework property, then the default next to each key.
 */
final class AdminSettings {

    static final String PID = "earthwo.shell.admin";

    /**
     * Most UTF-8 bytes of output a command may produce; more fails it. 2 MiB, so that a value of
     * the default maximum size (1 MiB) read by {@code kv:get} fits.
     */
    static final String MAX_OUTPUT_BYTES = "earthwo.shell.admin.max.output.bytes";
    static final String MAX_OUTPUT_BYTES_DEFAULT = String.valueOf(2 * 1024 * 1024);

    /** Time limit of one command line in ms, queueing included. */
    static final String TIMEOUT = "earthwo.shell.admin.timeout.ms";
    static final String TIMEOUT_DEFAULT = "30000";

    /** Command lines run at the same time. */
    static final String MAX_CONCURRENT = "earthwo.shell.admin.max.concurrent";
    static final String MAX_CONCURRENT_DEFAULT = "4";

    /** Command lines waiting for a thread; more are refused as busy. */
    static final String MAX_QUEUED = "earthwo.shell.admin.max.queued";
    static final String MAX_QUEUED_DEFAULT = "16";

    /** Longest command line accepted, in characters. */
    static final String MAX_COMMAND_CHARS = "earthwo.shell.admin.max.command.chars";
    static final String MAX_COMMAND_CHARS_DEFAULT = String.valueOf(64 * 1024);

    final int maxOutputBytes;
    final long timeoutMs;
    final int maxConcurrent;
    final int maxQueued;
    final int maxCommandChars;

    private AdminSettings(Map<String, ?> c, UnaryOperator<String> f) {
        maxOutputBytes = NodeProperties.getInt(MAX_OUTPUT_BYTES, c, f, MAX_OUTPUT_BYTES_DEFAULT, 1, 1024 * 1024 * 1024);
        timeoutMs = NodeProperties.getLong(TIMEOUT, c, f, TIMEOUT_DEFAULT, 1, 24L * 3_600_000);
        maxConcurrent = NodeProperties.getInt(MAX_CONCURRENT, c, f, MAX_CONCURRENT_DEFAULT, 1, 1024);
        maxQueued = NodeProperties.getInt(MAX_QUEUED, c, f, MAX_QUEUED_DEFAULT, 0, 100_000);
        maxCommandChars = NodeProperties.getInt(MAX_COMMAND_CHARS, c, f, MAX_COMMAND_CHARS_DEFAULT, 1, 16 * 1024 * 1024);
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static AdminSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return new AdminSettings(config, framework);
    }
}

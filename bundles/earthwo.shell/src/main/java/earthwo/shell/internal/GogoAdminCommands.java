package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.admin.AdminCommands;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AdminCommands} on top of Gogo: runs one command line in a fresh Gogo session whose
 * input is empty and whose stdout and stderr go to one bounded in-memory buffer, and returns
 * what the command printed followed by its returned value formatted as the Gogo console does
 * ({@code session.format(value, Converter.INSPECT)} and a newline).
 *
 * <p>Output contract, relied on by the server for `bin/earthwo exec`:
 * <ul>
 * <li>{@code ok=true}: the command completed; the output is its text, each line ending in a
 * newline. It is <b>empty exactly when the command printed nothing and returned null</b> —
 * {@code kv:get} of an absent key — while an empty value gives {@code "\n"}.</li>
 * <li>{@code ok=false}: unknown command, syntax error, the command threw, the output exceeded
 * {@value AdminSettings#MAX_OUTPUT_BYTES} (it is cut there) or the time limit passed; the
 * output is whatever was printed followed by a one-line message.</li>
 * </ul>
 *
 * <p>Command lines run on a bounded pool created in {@link #GogoAdminCommands activation} and
 * shut down in {@link #deactivate()}; when the pool and its queue are full the call fails at
 * once as busy. A command past its time limit is interrupted and its session closed.
 */
@Component(service = AdminCommands.class, configurationPid = AdminSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class GogoAdminCommands implements AdminCommands {

    private static final Logger LOG = LoggerFactory.getLogger(GogoAdminCommands.class);

    private final CommandProcessor processor;
    private final int maxOutputBytes;
    private final long timeoutMillis;
    private final int maxCommandChars;
    private final ThreadPoolExecutor executor;

    @Activate
    public GogoAdminCommands(@Reference CommandProcessor processor, BundleContext context, Map<String, Object> config) {
        this(processor, AdminSettings.resolve(config, context::getProperty));
    }

    private GogoAdminCommands(CommandProcessor processor, AdminSettings settings) {
        this(processor, settings.maxOutputBytes, settings.timeoutMs, settings.maxConcurrent, settings.maxQueued,
                settings.maxCommandChars);
    }

    GogoAdminCommands(CommandProcessor processor, int maxOutputBytes, long timeoutMillis, int maxConcurrent,
            int maxQueued, int maxCommandChars) {
        if (maxOutputBytes < 1 || timeoutMillis < 1 || maxConcurrent < 1 || maxQueued < 0 || maxCommandChars < 1) {
            throw new IllegalArgumentException("admin command limits must be positive");
        }
        this.processor = processor;
        this.maxOutputBytes = maxOutputBytes;
        this.timeoutMillis = timeoutMillis;
        this.maxCommandChars = maxCommandChars;
        this.executor = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 30, TimeUnit.SECONDS,
                maxQueued == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(maxQueued),
                new NamedDaemonThreads("earthwo-admin-"), new ThreadPoolExecutor.AbortPolicy());
        this.executor.allowCoreThreadTimeOut(true);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("admin command threads still running 5 s after deactivation");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Result execute(String commandLine) {
        if (commandLine == null || commandLine.isBlank()) {
            return new Result(false, "empty command line\n");
        }
        if (commandLine.length() > maxCommandChars) {
            return new Result(false, "command line of " + commandLine.length() + " characters exceeds the limit of "
                    + maxCommandChars + "\n");
        }
        BoundedOutput out = new BoundedOutput(maxOutputBytes);
        Future<Result> future;
        try {
            future = executor.submit(() -> run(commandLine, out));
        } catch (RejectedExecutionException e) {
            return new Result(false, executor.isShutdown()
                    ? "admin commands are shutting down\n"
                    : "busy: too many admin commands running; retry later\n");
        }
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.warn("admin command timed out after {} ms and was interrupted", timeoutMillis);
            return result(out, null, "command timed out after " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return result(out, null, "interrupted");
        } catch (ExecutionException e) {
            return result(out, null, describe(e.getCause()));
        }
    }

    /** Runs on a pool thread: one session per command line, always closed. */
    private Result run(String commandLine, BoundedOutput out) {
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object value;
            try {
                value = session.execute(commandLine);
            } catch (Exception e) {
                LOG.debug("admin command failed", e);
                return result(out, null, describe(e));
            }
            session.getConsole().flush();
            String formatted = value == null ? null : String.valueOf(session.format(value, Converter.INSPECT));
            return result(out, formatted, null);
        }
    }

    /** Printed output, then the formatted value or the error line, within the output limit. */
    private Result result(BoundedOutput out, String formatted, String error) {
        // Gogo's session PrintStreams encode with the platform charset.
        StringBuilder sb = new StringBuilder(new String(out.bytes(), Charset.defaultCharset()));
        if (formatted != null) {
            // As the Gogo console prints it: the text and a line end. An empty text (an empty
            // value) still gives "\n", so only a null result leaves the output empty.
            sb.append(formatted);
            if (formatted.isEmpty() || !formatted.endsWith("\n")) {
                sb.append('\n');
            }
        }
        boolean overflow = out.overflowed() || utf8Length(sb) > maxOutputBytes;
        if (overflow) {
            sb.setLength(prefixWithinUtf8Bytes(sb, maxOutputBytes));
            endLine(sb);
            if (error == null) {
                error = "output exceeds the limit of " + maxOutputBytes + " bytes; cut there";
            }
        }
        if (error != null) {
            endLine(sb);
            sb.append(error).append('\n');
        }
        return new Result(error == null, sb.toString());
    }

    private static void endLine(StringBuilder sb) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
    }

    /** A one-line message for a failure: typed and Gogo errors as they are, others with their class. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof InvocationTargetException || t instanceof ExecutionException
                || t instanceof UndeclaredThrowableException) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getClass().getName();
        }
        boolean plain = t instanceof EarthwoException || t instanceof IllegalArgumentException
                || t.getClass().getName().startsWith("org.apache.felix.gogo.");
        String line = plain ? msg : t.getClass().getSimpleName() + ": " + msg;
        return line.replace('\n', ' ').replace('\r', ' ');
    }

    static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Length in chars of the longest prefix of {@code s} that is at most {@code maxBytes} in UTF-8. */
    static int prefixWithinUtf8Bytes(CharSequence s, int maxBytes) {
        int n = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int bytes;
            int chars = 1;
            if (c < 0x80) {
                bytes = 1;
            } else if (c < 0x800) {
                bytes = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes = 4;
                chars = 2;
            } else {
                bytes = 3;
            }
            if (n + bytes > maxBytes) {
                break;
            }
            n += bytes;
            i += chars;
        }
        return i;
    }

    /** Daemon threads with a recognisable name, so a leak after deactivation is easy to spot. */
    private static final class NamedDaemonThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger(1);

        NamedDaemonThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}

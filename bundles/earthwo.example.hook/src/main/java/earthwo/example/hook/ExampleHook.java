package earthwo.example.hook;

import earthwo.api.NodeProperties;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link KeyHook} named {@value #NAME} that appends one line per event to
 * {@code <earthwo.data>/example-hook/events.log}:
 * {@code id TYPE key version expiresAt}, where the key is UTF-8 with space, {@code %}, control
 * and non-ASCII bytes written {@code %XX} ({@code -} for the empty key of a GAP), the version is
 * {@code wallMillis.counter@node} and expiresAt is epoch ms (0: never). It acknowledges a batch
 * once its lines are written and flushed (to the operating system: they survive a kill of the
 * node's process), so a line may appear twice after a failover or a crash, never not at all.
 */
@Component(service = KeyHook.class, property = KeyHook.NAME + "=" + ExampleHook.NAME)
public final class ExampleHook implements KeyHook {

    static final String NAME = "example";
    static final String DIR = "example-hook";
    static final String FILE = "events.log";

    private final BufferedWriter out;

    /** Finds the node's data directory as every bundle does: the framework property earthwo.data. */
    @Activate
    public ExampleHook(BundleContext context) throws IOException {
        this(Path.of(NodeProperties.get(NodeProperties.DATA_DIR, null, context::getProperty, NodeProperties.DATA_DIR_DEFAULT)));
    }

    ExampleHook(Path dataDir) throws IOException {
        Path dir = Files.createDirectories(dataDir.resolve(DIR));
        Path file = dir.resolve(FILE);
        boolean torn = endsMidLine(file);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (torn) {
            // The node was killed in the middle of a line (that batch was not acknowledged, so it
            // comes again): the next line starts on a line of its own.
            out.write('\n');
            out.flush();
        }
    }

    private static boolean endsMidLine(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        try (java.nio.channels.SeekableByteChannel c = Files.newByteChannel(file)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            c.position(c.size() - 1).read(last);
            return last.get(0) != '\n';
        }
    }

    @Override
    public synchronized CompletionStage<Void> deliver(List<KeyEvent> events) {
        try {
            for (KeyEvent e : events) {
                out.write(line(e));
                out.write('\n');
            }
            out.flush();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Deactivate
    synchronized void close() throws IOException {
        out.close();
    }

    static String line(KeyEvent e) {
        return e.id() + " " + e.type() + " " + escape(e.key()) + " " + e.version() + " " + e.expiresAt();
    }

    private static String escape(byte[] key) {
        if (key.length == 0) {
            return "-";
        }
        StringBuilder b = new StringBuilder(key.length);
        for (byte x : key) {
            int c = x & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '%') {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}

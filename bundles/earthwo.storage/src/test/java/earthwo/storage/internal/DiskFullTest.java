package earthwo.storage.internal;

import earthwo.api.testing.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import java.time.Duration;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a real disk that fills up: a 32 MiB tmpfs, filled by a file beside the store and
 * then freed by deleting it. Needs root and mount(8); skipped where either is missing.
 */
class DiskFullTest {

    private static final long DISK_BYTES = 32L << 20;
    private static final byte[] VALUE = new byte[1000];

    @TempDir
    Path tmp;

    private Path disk;
    private boolean mounted;
    private JeSegmentStore store;
    private final List<String> acknowledged = new ArrayList<>();

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Assumptions.assumeTrue("0".equals(run("id", "-u").trim()), "mounting a tmpfs needs root");
        disk = Files.createDirectory(tmp.resolve("disk"));
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + DISK_BYTES, "tmpfs", disk.toString());
        Assumptions.assumeTrue(out != null, "mount -t tmpfs is not available here");
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            if (mounted && run("umount", disk.toString()) == null) {
                run("umount", "-l", disk.toString());
            }
        }
    }

    /** The command's output, or null if it could not run or failed. */
    private static String run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void open(long reserveBytes) {
        Map<String, Object> config = StoreFixture.config(disk.resolve("store"), 2);
        config.put(StorageSettings.FREE_DISK_BYTES, String.valueOf(reserveBytes));
        store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    /** Writes a file beside the store until the disk has at most {@code leftBytes} free. */
    private Path fill(long leftBytes) throws IOException {
        Path filler = disk.resolve("filler");
        byte[] chunk = new byte[64 << 10];
        Arrays.fill(chunk, (byte) 7);
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (Files.getFileStore(disk).getUsableSpace() > leftBytes) {
                out.write(chunk);
                out.flush();
            }
        }
        return filler;
    }

    /** Applies new records until one fails; returns its error. Every applied record is acknowledged. */
    private EarthwoException writeUntilRefused() {
        for (int i = 0; i < 100_000; i++) {
            String key = "k" + acknowledged.size();
            try {
                store.apply(acknowledged.size() % 2, record(key));
                acknowledged.add(key);
            } catch (EarthwoException e) {
                return e;
            }
        }
        throw new AssertionError("the full disk never refused a write");
    }

    private void writeSome(int n) {
        for (int i = 0; i < n; i++) {
            String key = "k" + acknowledged.size();
            store.apply(acknowledged.size() % 2, record(key));
            acknowledged.add(key);
        }
    }

    private static Record record(String key) {
        return Record.value(Keys.utf8(key), VALUE, new Version(1, 1), Record.NEVER);
    }

    private void assertEveryAcknowledgedWriteIsThere() {
        for (int i = 0; i < acknowledged.size(); i++) {
            String key = acknowledged.get(i);
            assertTrue(store.read(i % 2, Keys.utf8(key)).isPresent(), "acknowledged write " + key + " lost");
        }
    }

    /** Milliseconds until a write succeeds, polling; fails after {@code seconds}. */
    private long millisUntilWritesAreAccepted(int seconds) throws InterruptedException {
        long start = System.nanoTime();
        Poll.until("writes accepted again", Duration.ofSeconds(seconds), () -> {
            try {
                store.apply(0, record("after"));
                return true;
            } catch (EarthwoException e) {
                assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
                return false;
            }
        });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aDiskFilledToTheReserveRefusesWritesUntilSpaceIsFreedWithinSeconds() throws Exception {
        long reserve = 8L << 20;
        open(reserve);
        writeSome(200);
        Path filler = fill(reserve - (2L << 20));

        EarthwoException refused = writeUntilRefused();
        assertEquals(ErrorCode.UNAVAILABLE, refused.code(), refused.getMessage());
        assertTrue(refused.getMessage().contains(StorageSettings.FREE_DISK_BYTES), refused.getMessage());
        assertTrue(refused.getMessage().contains(reserve + " bytes kept free"), refused.getMessage());
        assertEveryAcknowledgedWriteIsThere(); // reads go on
        assertEquals("refused", StorageStatus.of(store).get("disk.writes"));

        Files.delete(filler);
        long ms = millisUntilWritesAreAccepted(20);
        // JE alone looks again only every 10 s while a limit holds; the store's check asks every second.
        assertTrue(ms < 5_000, "writes came back " + ms + " ms after space was freed");
        assertEveryAcknowledgedWriteIsThere();
        assertEquals(0, store.reopener().reopens(), "the environment stayed valid");
    }

    @Test
    void aLogWriteFailingOnAFullDiskReopensTheEnvironmentOnceSpaceIsFreed() throws Exception {
        open(0); // no reserve: JE writes until the disk is full and its environment fails
        writeSome(200);
        Path filler = fill(3L << 20);

        EarthwoException failed = writeUntilRefused();
        assertEquals(ErrorCode.UNAVAILABLE, failed.code(), "retryable, not INTERNAL: " + failed.getMessage());
        assertTrue(failed.getMessage().contains("reopening its JE environment"), failed.getMessage());
        for (int i = 0; i < 200; i++) {
            EarthwoException e = assertThrows(EarthwoException.class,
                    () -> store.apply(0, record("refused")));
            assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
        }
        assertEquals(1, store.reopener().refusalLines(), "one log line, not one per refused request");

        // Meanwhile the store reopens the environment on the full disk (JE's recovery finds room);
        // the reopened one refuses writes, since JE counts a disk with nothing free as past any
        // reserve, even 0.
        Poll.until("the environment reopened on the full disk", Duration.ofSeconds(30),
                () -> store.reopener().reopens() >= 1);
        Files.delete(filler);
        millisUntilWritesAreAccepted(60);
        assertTrue(store.reopener().reopens() >= 1);
        assertEveryAcknowledgedWriteIsThere();
        assertEquals("open", StorageStatus.of(store).get("state"));
    }
}

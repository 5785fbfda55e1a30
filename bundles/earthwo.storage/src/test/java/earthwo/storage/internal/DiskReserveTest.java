package earthwo.storage.internal;

import earthwo.api.testing.Poll;
import static earthwo.storage.internal.StoreFixture.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.EnvironmentMutableConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;

import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The free-disk reserve on a real disk: a reserve larger than the free space stands for a disk
 * that filled up (DiskFullTest fills a small real one).
 */
class DiskReserveTest {

    private static final int RECORDS = 50;

    @TempDir
    Path dir;

    private JeSegmentStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private JeSegmentStore open(long reserveBytes) {
        Map<String, Object> config = StoreFixture.config(dir, 2);
        config.put(StorageSettings.FREE_DISK_BYTES, String.valueOf(reserveBytes));
        return JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    /** A reserve above the free space of the test's disk (and within the setting's bound). */
    private long reserveAboveFreeSpace() throws Exception {
        long reserve = Files.getFileStore(dir).getUsableSpace() + (1L << 30);
        Assumptions.assumeTrue(reserve <= StorageSettings.MAX_FREE_DISK_BYTES, "the test's disk has more than 1 TiB free");
        return reserve;
    }

    @Test
    void jeKeepsTheConfiguredReserveNotItsOwnFiveGigabytes() {
        store = StoreFixture.open(dir, 2);
        assertEquals(StorageSettings.FREE_DISK_BYTES_DEFAULT, store.jeParameter(EnvironmentConfig.FREE_DISK));
        assertEquals(536_870_912L, store.diskReserve().reserveBytes());
    }

    @Test
    void writesAreRefusedAsUnavailableWhileReadsGoOnThenAcceptedOnceTheReserveFits() throws Exception {
        store = open(0);
        for (int i = 0; i < RECORDS; i++) {
            store.apply(i % 2, value("k" + i, "v" + i, i + 1, 1));
        }
        store.close();
        long reserve = reserveAboveFreeSpace();
        store = open(reserve);

        EarthwoException refused = assertThrows(EarthwoException.class, () -> store.apply(0, value("new", "n", 1, 1)));
        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertTrue(refused.code().isRetryable());
        String message = refused.getMessage();
        assertTrue(message.contains(StorageSettings.FREE_DISK_BYTES), message);
        assertTrue(message.contains(reserve + " bytes kept free"), message);
        assertTrue(message.matches(".*\\(\\d+ bytes free when last measured\\).*"), message);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class,
                () -> store.purge(0, value("k0", "v0", 1, 1))).code(), "a purge is a write");
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class,
                () -> store.hints().add(7, 0, value("h", "v", 1, 1))).code(), "a hint is a write");

        for (int i = 0; i < RECORDS; i++) {
            assertEquals("v" + i, Keys.string(store.read(i % 2, Keys.utf8("k" + i)).orElseThrow().value()), "reads go on");
        }
        assertEquals(RECORDS / 2, store.scan(1, null, null, 1000).size());
        assertEquals(RECORDS, store.totalRecords());

        for (int i = 0; i < 500; i++) {
            int n = i;
            assertThrows(EarthwoException.class, () -> store.apply(1, value("more" + n, "m", 1, 1)));
        }
        assertEquals(1, store.diskReserve().refusalLines(), "one log line for 503 refused writes within a minute");
        Map<String, Object> status = StorageStatus.of(store);
        assertEquals("open", status.get("state"));
        assertEquals("refused", status.get("disk.writes"));
        assertEquals(503L, status.get("disk.writes.refused"));
        assertEquals(reserve, status.get("disk.reserve.bytes"));
        assertTrue((Long) status.get("disk.free.bytes") > 0);

        // Space comes back: here the reserve shrinks (JE's reserve is mutable), as if the disk had been cleaned up.
        Environment env = store.environment();
        EnvironmentMutableConfig mutable = env.getMutableConfig();
        mutable.setConfigParam(EnvironmentConfig.FREE_DISK, String.valueOf(1L << 20));
        env.setMutableConfig(mutable);
        applyWithin(10, "new");
        for (int i = 0; i < RECORDS; i++) {
            assertEquals("v" + i, Keys.string(store.read(i % 2, Keys.utf8("k" + i)).orElseThrow().value()), "nothing lost");
        }
        Poll.until("the check saw JE accept writes again", Duration.ofSeconds(10),
                () -> "accepted".equals(StorageStatus.of(store).get("disk.writes")));
    }

    @Test
    void aStoreReopenedWithASmallerReserveTakesWritesAndKeepsItsData() throws Exception {
        store = open(0);
        store.apply(0, value("before", "b", 1, 1));
        store.close();
        store = open(reserveAboveFreeSpace());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class, () -> store.apply(0, value("x", "x", 1, 1))).code());
        store.close();
        store = open(64L << 20);
        store.apply(0, value("after", "a", 1, 1));
        assertEquals("b", Keys.string(store.read(0, Keys.utf8("before")).orElseThrow().value()));
        assertEquals("a", Keys.string(store.read(0, Keys.utf8("after")).orElseThrow().value()));
    }

    @Test
    void aNewStoreCannotBeCreatedBelowTheReserveAndSaysWhy() throws Exception {
        long reserve = reserveAboveFreeSpace();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(reserve));
        assertTrue(e.getMessage().contains(StorageSettings.FREE_DISK_BYTES), e.getMessage());
        store = open(0); // the failed open left the directory usable
        store.apply(0, value("k", "v", 1, 1));
    }

    @Test
    void closeStopsTheChecksOfARefusingStore() throws Exception {
        store = open(0);
        store.apply(0, value("k", "v", 1, 1));
        store.close();
        store = open(reserveAboveFreeSpace());
        assertThrows(EarthwoException.class, () -> store.apply(0, value("x", "x", 1, 1)));
        assertTrue(store.diskReserve().refusing());
        store.close();
        Poll.until("the upkeep thread ended with the store", Duration.ofSeconds(5), () -> !upkeepThreadAlive());
    }

    @Test
    void fromTheFirstRefusalOnJeIsAskedEverySecondUntilItAcceptsWrites() throws Exception {
        ScheduledExecutorService upkeep = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger asked = new AtomicInteger();
        try {
            DiskReserve reserve = new DiskReserve(dir, 1000, upkeep, () -> asked.incrementAndGet() >= 3);
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertEquals(ErrorCode.UNAVAILABLE, reserve.refused().code());
            }
            assertTrue(reserve.refusing());
            Poll.until("JE accepted writes at the third check", Duration.ofSeconds(10), () -> !reserve.refusing());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(3, asked.get(), "one check at a time, not one per refusal");
            assertTrue(ms >= 2_500 && ms < 6_000, "three checks a second apart took " + ms + " ms");
            assertEquals(100, reserve.refusals());
            assertEquals(1, reserve.refusalLines());
        } finally {
            upkeep.shutdownNow();
        }
    }

    private void applyWithin(int seconds, String key) throws InterruptedException {
        Poll.until("writes accepted again", Duration.ofSeconds(seconds), () -> {
            try {
                store.apply(0, value(key, "v", 1, 1));
                return true;
            } catch (EarthwoException e) {
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
                return false;
            }
        });
    }

    static boolean upkeepThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("earthwo-storage-upkeep"));
    }
}

package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.storage.SegmentStore;
import earthwo.storage.internal.RealStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator on the real JE store of one node. */
class WriteCoordinatorTest {

    private static final int SEGMENTS = 16;
    private static final int NODE = 1;

    @TempDir
    Path dir;

    private SegmentStore store;
    private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
    private WriteCoordinator kv;

    @BeforeEach
    void open() {
        store = RealStores.open(dir, SEGMENTS);
        kv = coordinator(TestClusterView.singleNode(NODE, SEGMENTS), WriteConcern.QUORUM);
    }

    @AfterEach
    void close() {
        RealStores.close(store);
    }

    private WriteCoordinator coordinator(TestClusterView view, WriteConcern concern) {
        return new WriteCoordinator(store, view, new NoRemoteTransport(), wall::get,
                Limits.MAX_KEY_BYTES, Limits.MAX_VALUE_BYTES, concern);
    }

    private static byte[] b(String s) {
        return Keys.utf8(s);
    }

    @Test
    void putGetDeleteRoundTrip() {
        Version v1 = kv.put(b("user:1"), b("ada"), WriteOptions.DEFAULT);
        assertArrayEquals(b("ada"), kv.get(b("user:1")).orElseThrow().value());
        assertEquals(v1, kv.get(b("user:1")).orElseThrow().version());
        Version v2 = kv.put(b("user:1"), b("grace"), WriteOptions.DEFAULT);
        assertTrue(v2.isNewerThan(v1));
        assertArrayEquals(b("grace"), kv.get(b("user:1")).orElseThrow().value());
        assertTrue(kv.delete(b("user:1"), WriteOptions.DEFAULT));
        assertTrue(kv.get(b("user:1")).isEmpty());
        assertFalse(kv.delete(b("user:1"), WriteOptions.DEFAULT), "a second delete finds nothing");
        assertTrue(store.read(Segments.segmentOf(b("user:1"), SEGMENTS), b("user:1")).orElseThrow().isTombstone(),
                "the delete is kept as a tombstone for the replicas");
    }

    @Test
    void expiredKeysAreNeverReturned() {
        kv.put(b("session"), b("x"), WriteOptions.DEFAULT.expiringAt(wall.get() + 1000));
        assertTrue(kv.get(b("session")).isPresent());
        wall.addAndGet(1000);
        assertTrue(kv.get(b("session")).isEmpty());
        assertEquals(0, kv.scan(b("sess"), null, 10).records().size());
        assertFalse(kv.delete(b("session"), WriteOptions.DEFAULT), "deleting an expired key reports it absent");
    }

    @Test
    void expiryInThePastIsABadRequest() {
        EarthwoException e = assertThrows(EarthwoException.class,
                () -> kv.put(b("k"), b("v"), WriteOptions.DEFAULT.expiringAt(wall.get() - 1)));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void limitsAreEnforcedWithTypedErrors() {
        assertEquals(ErrorCode.TOO_LARGE, assertThrows(EarthwoException.class,
                () -> kv.put(new byte[Limits.MAX_KEY_BYTES + 1], b("v"), WriteOptions.DEFAULT)).code());
        assertEquals(ErrorCode.TOO_LARGE, assertThrows(EarthwoException.class,
                () -> kv.put(b("k"), new byte[Limits.MAX_VALUE_BYTES + 1], WriteOptions.DEFAULT)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> kv.get(new byte[0])).code());
        assertTrue(kv.get(b("k")).isEmpty(), "nothing was stored by the rejected writes");
    }

    @Test
    void scanMergesSegmentsInKeyOrderWithContinuation() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            String key = String.format("item:%04d", i);
            kv.put(b(key), b("v" + i), WriteOptions.DEFAULT);
            expected.add(key);
        }
        kv.put(b("other"), b("x"), WriteOptions.DEFAULT);
        kv.delete(b("item:0100"), WriteOptions.DEFAULT);
        expected.remove("item:0100");

        List<String> seen = new ArrayList<>();
        byte[] after = null;
        int pages = 0;
        do {
            ScanPage page = kv.scan(b("item:"), after, 40);
            page.records().forEach(r -> seen.add(Keys.string(r.key())));
            after = page.continuation();
            pages++;
        } while (after != null);
        assertEquals(expected, seen);
        assertEquals(7, pages);
    }

    @Test
    void aWriterWhoseClockIsThirtySecondsBehindStillWins() {
        byte[] key = b("counter");
        int segment = Segments.segmentOf(key, SEGMENTS);
        // A replica whose clock is 30 s ahead wrote the key (it arrived through replication).
        Version ahead = Version.of(wall.get() + 30_000, 0, 2);
        store.apply(segment, Record.value(key, b("from-ahead"), ahead, 0));
        Version mine = kv.put(key, b("from-behind"), WriteOptions.DEFAULT);
        assertTrue(mine.isNewerThan(ahead));
        assertArrayEquals(b("from-behind"), kv.get(key).orElseThrow().value());
    }

    @Test
    void aKeyOfASegmentThisNodeDoesNotHoldIsWrongSegment() {
        WriteCoordinator other = coordinator(TestClusterView.withReplicas(NODE, SEGMENTS, List.of(2, 3)), WriteConcern.QUORUM);
        EarthwoException e = assertThrows(EarthwoException.class, () -> other.put(b("k"), b("v"), WriteOptions.DEFAULT));
        assertEquals(ErrorCode.WRONG_SEGMENT, e.code());
        assertEquals(1, e.mapEpoch());
    }

    @Test
    void writeConcernThatCannotBeMetIsUnavailableButTheLocalCopyIsKept() {
        WriteCoordinator three = coordinator(TestClusterView.withReplicas(NODE, SEGMENTS, List.of(NODE, 2, 3)), WriteConcern.QUORUM);
        EarthwoException e = assertThrows(EarthwoException.class, () -> three.put(b("k"), b("v"), WriteOptions.DEFAULT));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(three.get(b("k")).isPresent(), "kept locally, for repair to the other replicas");
        three.put(b("k"), b("v1"), WriteOptions.of(WriteConcern.ONE, 0));
        assertArrayEquals(b("v1"), three.get(b("k")).orElseThrow().value());
    }

    // ---- versions and segments that enter through the peer path ----

    private static final long TEN_YEARS_MS = 315_360_000_000L;

    private int segmentOf(String key) {
        return Segments.segmentOf(b(key), SEGMENTS);
    }

    @Test
    void aReplicaWriteStampedTenYearsAheadIsRefusedAndChangesNothing() {
        Record forged = Record.value(b("victim"), b("forged"), Version.of(wall.get() + TEN_YEARS_MS, 0, 9), 0);
        EarthwoException e = assertThrows(EarthwoException.class, () -> kv.applyReplica(segmentOf("victim"), 1, forged, null));
        assertEquals(ErrorCode.CLOCK_SKEW, e.code());
        assertTrue(e.getMessage().contains("victim") && e.getMessage().contains("ms ahead"), e.getMessage());
        assertTrue(store.read(segmentOf("victim"), b("victim")).isEmpty(), "nothing stored");
        assertEquals(0, kv.clockDriftMillis(), "the clock did not follow it");
        assertEquals(1, kv.versionGuard().refused());
        Version v = kv.put(b("victim"), b("fine"), WriteOptions.DEFAULT);
        assertEquals(wall.get(), v.wallMillis(), "the next write is stamped by this node's clock");
    }

    @Test
    void aReplicaWriteWithTheLargestTimestampIsRefused() {
        Record forged = Record.value(b("victim"), b("forged"), new Version(0xffffffffffffffffL, 9), 0);
        assertEquals(ErrorCode.CLOCK_SKEW, assertThrows(EarthwoException.class,
                () -> kv.applyReplica(segmentOf("victim"), 1, forged, null)).code());
        Record signedMax = Record.value(b("victim"), b("forged"), new Version(0x7fffffffffffffffL, 9), 0);
        assertEquals(ErrorCode.CLOCK_SKEW, assertThrows(EarthwoException.class,
                () -> kv.applyReplica(segmentOf("victim"), 1, signedMax, null)).code());
        assertTrue(kv.put(b("victim"), b("fine"), WriteOptions.DEFAULT).isNewerThan(Version.ZERO));
    }

    @Test
    void aReplicaWriteWithinTheMaximumOffsetIsApplied() throws Exception {
        Record ahead = Record.value(b("k"), b("v"), Version.of(wall.get() + 30_000, 0, 2), 0);
        assertTrue(kv.applyReplica(segmentOf("k"), 1, ahead, null).get());
        assertEquals(30_000, kv.clockDriftMillis(), "the clock follows a version within the offset");
    }

    @Test
    void aMisroutedReplicaWriteIsRefused() {
        Record r = Record.value(b("k"), b("v"), Version.of(wall.get(), 0, 2), 0);
        int wrong = (segmentOf("k") + 1) % SEGMENTS;
        EarthwoException e = assertThrows(EarthwoException.class, () -> kv.applyReplica(wrong, 1, r, null));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(store.read(wrong, b("k")).isEmpty());

        TestClusterView elsewhere = TestClusterView.withReplicas(NODE, SEGMENTS, List.of(2, 3));
        WriteCoordinator notAReplica = coordinator(elsewhere, WriteConcern.ONE);
        EarthwoException notHeld = assertThrows(EarthwoException.class,
                () -> notAReplica.applyReplica(segmentOf("k"), 1, r, null));
        assertEquals(ErrorCode.WRONG_SEGMENT, notHeld.code());
        assertTrue(store.read(segmentOf("k"), b("k")).isEmpty(), "not acknowledged into a segment it does not hold");
    }

    @Test
    void aWriteToAKeyStoredWithAFutureVersionGetsATypedErrorNamingTheKey() {
        // as a node stored it before versions were checked
        store.apply(segmentOf("stuck"), Record.value(b("stuck"), b("old"), Version.of(wall.get() + TEN_YEARS_MS, 0, 9), 0));
        EarthwoException e = assertThrows(EarthwoException.class, () -> kv.put(b("stuck"), b("new"), WriteOptions.DEFAULT));
        assertEquals(ErrorCode.CLOCK_SKEW, e.code());
        assertTrue(e.getMessage().contains("stuck"), e.getMessage());
        assertEquals(0, kv.clockDriftMillis());
        assertTrue(kv.put(b("other"), b("v"), WriteOptions.DEFAULT).wallMillis() == wall.get(), "other keys unaffected");
    }

    @Test
    void recordsStoredWithFutureVersionsAreFoundAndRewrittenWithTheNodesClock() {
        store.apply(segmentOf("stuck"), Record.value(b("stuck"), b("old"), Version.of(wall.get() + TEN_YEARS_MS, 0, 9), 0));
        store.apply(segmentOf("gone"), Record.tombstone(b("gone"), Version.of(wall.get() + TEN_YEARS_MS, 1, 9)));
        kv.put(b("fine"), b("v"), WriteOptions.DEFAULT);
        FutureVersionRepair repair = new FutureVersionRepair(store, TestClusterView.singleNode(NODE, SEGMENTS), kv);

        List<earthwo.api.admin.FutureVersions.Found> found = repair.find(10);
        assertEquals(2, found.size(), String.valueOf(found));
        assertTrue(found.stream().allMatch(f -> f.aheadMillis() >= TEN_YEARS_MS - 1));
        assertEquals(2, repair.rewrite());
        assertEquals(List.of(), repair.find(10));

        Record stuck = store.read(segmentOf("stuck"), b("stuck")).orElseThrow();
        assertArrayEquals(b("old"), stuck.value(), "the value is kept");
        assertEquals(wall.get(), stuck.version().wallMillis());
        assertTrue(store.read(segmentOf("gone"), b("gone")).orElseThrow().isTombstone(), "the deletion is kept");
        assertTrue(kv.put(b("stuck"), b("new"), WriteOptions.DEFAULT).isNewerThan(stuck.version()), "writes work again");
        assertArrayEquals(b("new"), kv.get(b("stuck")).orElseThrow().value());
    }
}

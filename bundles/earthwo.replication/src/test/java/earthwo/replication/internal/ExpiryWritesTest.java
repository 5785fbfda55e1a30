package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Limits;
import earthwo.api.Record;
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
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expiry changes, keep-ttl puts and reaping on the coordinator, on the real JE store of one node. */
class ExpiryWritesTest {

    private static final int SEGMENTS = 16;
    private static final int NODE = 1;
    private static final byte[] KEY = Keys.utf8("session:1");

    @TempDir
    Path dir;

    private SegmentStore store;
    private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
    private WriteCoordinator kv;

    @BeforeEach
    void open() {
        store = RealStores.open(dir, SEGMENTS);
        kv = new WriteCoordinator(store, TestClusterView.singleNode(NODE, SEGMENTS), new NoRemoteTransport(), wall::get,
                Limits.MAX_KEY_BYTES, Limits.MAX_VALUE_BYTES, WriteConcern.QUORUM);
    }

    @AfterEach
    void close() {
        RealStores.close(store);
    }

    private ExpireResult expire(long expiresAt) {
        return Futures.join(kv.expireAsync(KEY, expiresAt, WriteConcern.DEFAULT));
    }

    private Record stored() {
        return store.read(Segments.segmentOf(KEY, SEGMENTS), KEY).orElseThrow();
    }

    @Test
    void expireSetsTheExpiryKeepsTheValueAndStampsANewVersion() {
        Version put = kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT);
        long at = wall.get() + 5_000;
        assertEquals(ExpireResult.SET, expire(at));
        Record r = kv.get(KEY).orElseThrow();
        assertArrayEquals(Keys.utf8("v"), r.value());
        assertEquals(at, r.expiresAt());
        assertTrue(r.version().isNewerThan(put), "an expiry change is a write with its own version");
    }

    @Test
    void expireOnAnAbsentOrExpiredKeyChangesNothing() {
        assertEquals(ExpireResult.ABSENT, expire(wall.get() + 5_000));
        assertTrue(store.read(Segments.segmentOf(KEY, SEGMENTS), KEY).isEmpty(), "nothing written for an absent key");
        kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT.expiringAt(wall.get() + 100));
        Version before = stored().version();
        wall.addAndGet(100);
        assertEquals(ExpireResult.ABSENT, expire(wall.get() + 5_000), "an expired key is absent");
        assertEquals(before, stored().version());
    }

    @Test
    void aTimeNotInTheFutureDeletesTheKey() {
        kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT);
        assertEquals(ExpireResult.DELETED, expire(wall.get()));
        assertTrue(kv.get(KEY).isEmpty());
        assertTrue(stored().isTombstone(), "deleted with a replicated tombstone");
    }

    @Test
    void persistRemovesAnExpiryAndSaysWhetherThereWasOne() {
        kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT.expiringAt(wall.get() + 1_000));
        assertEquals(ExpireResult.PERSISTED, expire(Record.NEVER));
        assertEquals(Record.NEVER, kv.get(KEY).orElseThrow().expiresAt());
        Version v = stored().version();
        assertEquals(ExpireResult.NO_EXPIRY, expire(Record.NEVER));
        assertEquals(v, stored().version(), "nothing written when there was no expiry");
        kv.delete(KEY, WriteOptions.DEFAULT);
        assertEquals(ExpireResult.ABSENT, expire(Record.NEVER));
    }

    @Test
    void aPlainPutRemovesTheExpiryAndKeepTtlKeepsIt() {
        long at = wall.get() + 9_000;
        kv.put(KEY, Keys.utf8("a"), WriteOptions.DEFAULT.expiringAt(at));
        kv.put(KEY, Keys.utf8("b"), WriteOptions.DEFAULT.keepingTtl());
        assertEquals(at, kv.get(KEY).orElseThrow().expiresAt());
        assertArrayEquals(Keys.utf8("b"), kv.get(KEY).orElseThrow().value());
        kv.put(KEY, Keys.utf8("c"), WriteOptions.DEFAULT);
        assertEquals(Record.NEVER, kv.get(KEY).orElseThrow().expiresAt());
        kv.put(KEY, Keys.utf8("d"), WriteOptions.DEFAULT.keepingTtl());
        assertEquals(Record.NEVER, kv.get(KEY).orElseThrow().expiresAt(), "keep-ttl on a key without expiry keeps none");
    }

    @Test
    void keepTtlOnAnExpiredKeyDoesNotReviveItsExpiry() {
        kv.put(KEY, Keys.utf8("a"), WriteOptions.DEFAULT.expiringAt(wall.get() + 10));
        wall.addAndGet(10);
        kv.put(KEY, Keys.utf8("b"), WriteOptions.DEFAULT.keepingTtl());
        Record r = kv.get(KEY).orElseThrow();
        assertEquals(Record.NEVER, r.expiresAt(), "the expired key was absent: a new key without expiry");
    }

    @Test
    void outOfRangeExpiriesAreRefusedAndChangeNothing() {
        kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT);
        Version v = stored().version();
        EarthwoException negative = assertThrows(EarthwoException.class, () -> expire(-5));
        assertEquals(ErrorCode.BAD_REQUEST, negative.code());
        EarthwoException beyond = assertThrows(EarthwoException.class, () -> expire(Expiry.MAX_EXPIRES_AT + 1));
        assertEquals(ErrorCode.BAD_REQUEST, beyond.code());
        assertThrows(EarthwoException.class, () -> WriteOptions.DEFAULT.expiringAt(Expiry.MAX_EXPIRES_AT + 1));
        assertEquals(v, stored().version());
        EarthwoException tooLong = assertThrows(EarthwoException.class,
                () -> Futures.join(kv.expireAsync(new byte[Limits.MAX_KEY_BYTES + 1], wall.get() + 1, WriteConcern.DEFAULT)));
        assertEquals(ErrorCode.TOO_LARGE, tooLong.code());
        assertEquals(ExpireResult.SET, expire(Expiry.MAX_EXPIRES_AT), "the last millisecond of year 9999 is allowed");
    }

    @Test
    void reapDeletesOnlyTheExpiredVersion() {
        kv.put(KEY, Keys.utf8("v"), WriteOptions.DEFAULT.expiringAt(wall.get() + 100));
        Version expiring = stored().version();
        assertFalse(Futures.join(kv.reapAsync(KEY, expiring)), "not expired yet: nothing reaped");
        wall.addAndGet(100);
        assertFalse(Futures.join(kv.reapAsync(KEY, Version.of(1, 0, NODE))), "another version: nothing reaped");
        assertTrue(Futures.join(kv.reapAsync(KEY, expiring)));
        Record tombstone = stored();
        assertTrue(tombstone.isTombstone());
        assertTrue(tombstone.version().isNewerThan(expiring));
        assertFalse(Futures.join(kv.reapAsync(KEY, expiring)), "reaped once only");
    }

    @Test
    void reapLeavesAKeyWrittenAgainAfterItExpired() {
        kv.put(KEY, Keys.utf8("old"), WriteOptions.DEFAULT.expiringAt(wall.get() + 100));
        Version expired = stored().version();
        wall.addAndGet(200);
        kv.put(KEY, Keys.utf8("new"), WriteOptions.DEFAULT);
        assertFalse(Futures.join(kv.reapAsync(KEY, expired)));
        assertArrayEquals(Keys.utf8("new"), kv.get(KEY).orElseThrow().value());
    }

    @Test
    void anExpiryChangeMadeOverAFutureStampedRecordCatchesUpWithIt() {
        int segment = Segments.segmentOf(KEY, SEGMENTS);
        Version ahead = Version.of(wall.get() + 30_000L, 0, NODE + 1);
        store.apply(segment, Record.value(KEY, Keys.utf8("v"), ahead, Record.NEVER));
        assertEquals(ExpireResult.SET, expire(wall.get() + 60_000));
        assertTrue(stored().version().isNewerThan(ahead), "re-stamped after the stored version, not lost to it");
        assertArrayEquals(Keys.utf8("v"), stored().value());
    }
}

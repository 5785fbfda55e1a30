package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.hooks.EventType;
import earthwo.replication.internal.PeerMessages.Apply;
import earthwo.replication.internal.PeerMessages.Forward;
import earthwo.replication.internal.PeerMessages.WriteResult;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerMessagesTest {

    @Test
    void applyRoundTripsValuesTombstonesAndExpiry() {
        Record value = Record.value(Keys.utf8("k"), Keys.utf8("v"), Version.of(1_800_000_000_000L, 3, 2), 1_900_000_000_000L);
        byte[] p = PeerMessages.encodeApply(7, 42, value);
        assertEquals(PeerMessages.APPLY, p[0]);
        Apply a = PeerMessages.decodeApply(p);
        assertEquals(7, a.segment());
        assertEquals(42, a.mapEpoch());
        assertEquals(value, a.record());

        Record tomb = Record.tombstone(Keys.utf8("gone"), new Version(-5L, 9));
        assertEquals(tomb, PeerMessages.decodeApply(PeerMessages.encodeApply(0, 1, tomb)).record());

        assertTrue(PeerMessages.decodeApplied(PeerMessages.encodeApplied(true)));
        assertFalse(PeerMessages.decodeApplied(PeerMessages.encodeApplied(false)));
    }

    @Test
    void applyHasTheDocumentedLayout() {
        Record r = Record.value(Keys.utf8("k"), Keys.utf8("v"), new Version(0x0102L, 3), 0);
        byte[] expected = {
            1,                      // type APPLY
            0, 0, 0, 5,             // segment
            0, 0, 0, 0, 0, 0, 0, 9, // map epoch
            0,                      // flags
            0, 0, 0, 0, 0, 0, 1, 2, // version timestamp
            0, 0, 0, 3,             // version node
            0, 0, 0, 0, 0, 0, 0, 0, // expiresAt
            0, 0, 0, 1, 'k',        // key
            0, 0, 0, 1, 'v'};       // value
        assertArrayEquals(expected, PeerMessages.encodeApply(5, 9, r));
    }

    @Test
    void applyCarriesTheEventTypeDecidedByTheCoordinator() {
        Record r = Record.value(Keys.utf8("k"), Keys.utf8("v"), Version.of(7, 0, 1), Record.NEVER);
        for (EventType t : new EventType[] {EventType.CREATED, EventType.UPDATED, EventType.DELETED, EventType.EXPIRED}) {
            assertEquals(t, PeerMessages.decodeApply(PeerMessages.encodeApply(3, 9, r, t)).event());
        }
        assertNull(PeerMessages.decodeApply(PeerMessages.encodeApply(3, 9, r)).event(), "none given: the replica decides");
        byte[] gap = PeerMessages.encodeApply(3, 9, r, EventType.CREATED);
        gap[13] = (byte) (EventType.GAP.code() << 1);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> PeerMessages.decodeApply(gap)).code(),
                "a GAP is no change");
    }

    @Test
    void forwardRoundTripsExpiryChangesAndKeepTtlPuts() {
        Forward expire = Forward.expire(Keys.utf8("k"), 1_800_000_000_000L, WriteConcern.QUORUM, 0);
        byte[] p = PeerMessages.encodeForward(expire);
        assertEquals(1 + 1 + 1 + 1 + 8 + 4 + 1, p.length, "an EXPIRE carries no value");
        Forward e = PeerMessages.decodeForward(p);
        assertEquals(Forward.EXPIRE, e.op());
        assertEquals(1_800_000_000_000L, e.expiresAt());
        assertFalse(e.delete());

        Forward keep = PeerMessages.decodeForward(PeerMessages.encodeForward(
                Forward.put(Keys.utf8("k"), Keys.utf8("v"), WriteConcern.ONE, WriteOptions.KEEP_TTL, 0)));
        assertEquals(WriteOptions.KEEP_TTL, keep.expiresAt());

        byte[] negativeExpire = PeerMessages.encodeForward(Forward.expire(Keys.utf8("k"), WriteOptions.KEEP_TTL, WriteConcern.ONE, 0));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> PeerMessages.decodeForward(negativeExpire)).code(), "only a PUT may keep the expiry");

        WriteResult r = new WriteResult(Version.of(5, 1, 2), ExpireResult.PERSISTED.wireCode());
        assertEquals(ExpireResult.PERSISTED, PeerMessages.decodeWriteResult(PeerMessages.encodeWriteResult(r)).expireResult());
    }

    @Test
    void forwardRoundTripsPutAndDelete() {
        Forward put = Forward.put(Keys.utf8("k"), Keys.utf8("value"), WriteConcern.ALL, 123, 1);
        Forward back = PeerMessages.decodeForward(PeerMessages.encodeForward(put));
        assertFalse(back.delete());
        assertEquals(WriteConcern.ALL, back.concern());
        assertEquals(1, back.hops());
        assertEquals(123, back.expiresAt());
        assertArrayEquals(Keys.utf8("k"), back.key());
        assertArrayEquals(Keys.utf8("value"), back.value());

        Forward del = Forward.delete(Keys.utf8("k"), WriteConcern.DEFAULT, 0).nextHop();
        byte[] p = PeerMessages.encodeForward(del);
        assertEquals(1 + 1 + 1 + 1 + 8 + 4 + 1, p.length, "a DEL carries no value");
        Forward d = PeerMessages.decodeForward(p);
        assertTrue(d.delete());
        assertEquals(1, d.hops());
        assertEquals(WriteConcern.DEFAULT, d.concern());

        WriteResult r = new WriteResult(Version.of(5, 1, 2), true);
        assertEquals(r, PeerMessages.decodeWriteResult(PeerMessages.encodeWriteResult(r)));
    }

    @Test
    void malformedPayloadsAreBadRequests() {
        byte[] apply = PeerMessages.encodeApply(1, 1, Record.value(Keys.utf8("k"), Keys.utf8("v"), Version.of(1, 0, 1), 0));
        for (int cut = 1; cut < apply.length; cut++) {
            byte[] truncated = Arrays.copyOf(apply, cut);
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                    () -> PeerMessages.decodeApply(truncated)).code(), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(apply, apply.length + 1);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> PeerMessages.decodeApply(trailing)).code());
        byte[] flags = apply.clone();
        flags[13] = 0x10; // bits 4-7 are unused
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> PeerMessages.decodeApply(flags)).code());
        byte[] fwd = PeerMessages.encodeForward(Forward.put(Keys.utf8("k"), Keys.utf8("v"), WriteConcern.ONE, 0, 1));
        fwd[2] = 9;
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> PeerMessages.decodeForward(fwd)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> PeerMessages.decodeApply(new byte[] {2})).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> PeerMessages.decodeWriteResult(new byte[3])).code());
    }
}

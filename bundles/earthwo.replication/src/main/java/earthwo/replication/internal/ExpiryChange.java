package earthwo.replication.internal;

import earthwo.api.ExpireResult;
import earthwo.api.Record;
import earthwo.api.Version;

import java.util.function.Function;

/**
 * What an expiry change (EXPIRE, EXPIREAT, PERSIST) does to the record stored for its key, decided
 * on the coordinating replica from that record and the node's clock: nothing (an absent key, or
 * PERSIST of a key without expiry), the same value with the new expiry, or a tombstone when the
 * time is not in the future (as Redis's EXPIRE deletes such a key).
 */
final class ExpiryChange {

    private final ExpireResult outcome;
    /** The record to write with a fresh version; null when nothing is written. */
    private final Function<Version, Record> write;

    private ExpiryChange(ExpireResult outcome, Function<Version, Record> write) {
        this.outcome = outcome;
        this.write = write;
    }

    /**
     * @param stored the record stored for the key, or null
     * @param expiresAt the requested absolute expiry; {@link Record#NEVER} removes it
     */
    static ExpiryChange of(Record stored, long expiresAt, long nowMillis) {
        if (stored == null || !stored.isLiveAt(nowMillis)) {
            return new ExpiryChange(ExpireResult.ABSENT, null);
        }
        byte[] key = stored.key();
        byte[] value = stored.value();
        if (expiresAt == Record.NEVER) {
            return stored.expiresAt() == Record.NEVER
                    ? new ExpiryChange(ExpireResult.NO_EXPIRY, null)
                    : new ExpiryChange(ExpireResult.PERSISTED, v -> Record.value(key, value, v, Record.NEVER));
        }
        if (expiresAt <= nowMillis) {
            return new ExpiryChange(ExpireResult.DELETED, v -> Record.tombstone(key, v));
        }
        return new ExpiryChange(ExpireResult.SET, v -> Record.value(key, value, v, expiresAt));
    }

    ExpireResult outcome() {
        return outcome;
    }

    /** Whether the change writes a record. */
    boolean writes() {
        return write != null;
    }

    Record record(Version version) {
        return write.apply(version);
    }
}

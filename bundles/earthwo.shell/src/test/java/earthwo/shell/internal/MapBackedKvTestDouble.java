package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * TEST DOUBLE: an in-memory {@link Kv} over a sorted map, with the read semantics of the real
 * service (deleted and expired keys are invisible, scans are in unsigned key order with a
 * continuation key) and its expiry semantics (a put may keep the key's expiry; an expiry change
 * keeps the value, and a time not in the future deletes the key). It exists so the shell's own logic can be tested; it is not a storage
 * engine and does no replication.
 */
final class MapBackedKvTestDouble implements Kv {

    private final NavigableMap<byte[], Record> map = new ConcurrentSkipListMap<>(Keys::compare);
    private final LongSupplier clock;
    private long counter;
    final List<WriteOptions> writeOptions = new ArrayList<>();
    /** The {@code expiresAt} of every {@link #expireAsync} call, in order. */
    final List<Long> expiries = new ArrayList<>();

    MapBackedKvTestDouble(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public Optional<Record> get(byte[] key) {
        Record r = map.get(key);
        return r != null && r.isLiveAt(clock.getAsLong()) ? Optional.of(r) : Optional.empty();
    }

    @Override
    public synchronized CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        if (key.length == 0) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty"));
        }
        writeOptions.add(options);
        long expiresAt = options.keepTtl() ? get(key).map(Record::expiresAt).orElse(Record.NEVER) : options.expiresAt();
        Version v = nextVersion();
        map.put(key.clone(), Record.value(key.clone(), value.clone(), v, expiresAt));
        return CompletableFuture.completedFuture(v);
    }

    @Override
    public synchronized CompletionStage<ExpireResult> expireAsync(byte[] key, long expiresAt, WriteConcern concern) {
        try {
            Expiry.checkAbsolute(expiresAt);
        } catch (EarthwoException e) {
            return CompletableFuture.failedFuture(e);
        }
        expiries.add(expiresAt);
        Optional<Record> live = get(key);
        if (live.isEmpty()) {
            return CompletableFuture.completedFuture(ExpireResult.ABSENT);
        }
        Record old = live.get();
        ExpireResult result;
        if (expiresAt == Record.NEVER) {
            result = old.expiresAt() == Record.NEVER ? ExpireResult.NO_EXPIRY : ExpireResult.PERSISTED;
        } else {
            result = expiresAt <= clock.getAsLong() ? ExpireResult.DELETED : ExpireResult.SET;
        }
        if (result == ExpireResult.DELETED) {
            map.put(key.clone(), Record.tombstone(key.clone(), nextVersion()));
        } else if (result != ExpireResult.NO_EXPIRY) {
            map.put(key.clone(), Record.value(key.clone(), old.value(), nextVersion(), expiresAt));
        }
        return CompletableFuture.completedFuture(result);
    }

    private Version nextVersion() {
        return Version.of(clock.getAsLong(), (int) (++counter & 0xffff), 1);
    }

    @Override
    public synchronized CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        boolean live = get(key).isPresent();
        map.put(key.clone(), Record.tombstone(key.clone(), nextVersion()));
        return CompletableFuture.completedFuture(live);
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        long now = clock.getAsLong();
        Map<byte[], Record> tail = startAfter == null ? map.tailMap(prefix, true) : map.tailMap(startAfter, false);
        List<Record> out = new ArrayList<>();
        for (Record r : tail.values()) {
            if (!Keys.hasPrefix(r.key(), prefix)) {
                if (Keys.compare(r.key(), prefix) > 0) {
                    break;
                }
                continue;
            }
            if (!r.isLiveAt(now)) {
                continue;
            }
            if (out.size() == limit) {
                return new ScanPage(out, out.get(out.size() - 1).key());
            }
            out.add(r);
        }
        return new ScanPage(out, null);
    }
}

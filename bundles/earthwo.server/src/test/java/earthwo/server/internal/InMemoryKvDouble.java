package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test double of the {@link Kv} service (the real one lives in earthwo.replication): a sorted
 * in-memory map. Writes complete at once, or later on {@code completer} when one is set, so
 * answers come back out of order. A key named "boom" makes every call throw an unexpected
 * exception.
 */
final class InMemoryKvDouble implements Kv {

    static final byte[] BOOM = Keys.utf8("boom");

    private final Map<byte[], Record> data = new ConcurrentSkipListMap<>(Keys::compare);
    private final AtomicLong clock = new AtomicLong(1);
    volatile Executor completer;
    /** Where {@link #beginBurst()} and {@link #endBurst()} go; none: this Kv takes no part in bursts. */
    volatile Bursts bursts;

    /** The write bursts a test lets this Kv take part in. */
    interface Bursts {
        boolean begin();

        void end();
    }

    @Override
    public boolean beginBurst() {
        Bursts b = bursts;
        return b != null && b.begin();
    }

    @Override
    public void endBurst() {
        Bursts b = bursts;
        if (b != null) {
            b.end();
        }
    }

    @Override
    public Optional<Record> get(byte[] key) {
        boom(key);
        return Optional.ofNullable(data.get(key));
    }

    @Override
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        boom(key);
        Version v = new Version(clock.getAndIncrement(), 1);
        data.put(key, Record.value(key, value, v, options.expiresAt()));
        return later(v);
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        boom(key);
        return later(data.remove(key) != null);
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        List<Record> out = new ArrayList<>();
        Map<byte[], Record> tail = startAfter == null ? data : ((ConcurrentSkipListMap<byte[], Record>) data).tailMap(startAfter, false);
        for (Record r : tail.values()) {
            if (!Keys.hasPrefix(r.key(), prefix)) {
                continue;
            }
            if (out.size() == limit) {
                return new ScanPage(out, out.get(out.size() - 1).key());
            }
            out.add(r);
        }
        return new ScanPage(out, null);
    }

    private <T> CompletionStage<T> later(T value) {
        Executor e = completer;
        if (e == null) {
            return CompletableFuture.completedFuture(value);
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        e.execute(() -> f.complete(value));
        return f;
    }

    private static void boom(byte[] key) {
        if (java.util.Arrays.equals(key, BOOM)) {
            throw new IllegalStateException("simulated bug in Kv");
        }
        if (key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "empty key");
        }
    }
}

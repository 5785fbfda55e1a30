package earthwo.ttl.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The reap side of {@link Kv} over a {@link FakeStore}: a reap writes a tombstone if the key still
 * holds the expired version and it has expired by the clock, as the master does. A test may make
 * the next reaps fail, throw, or hang until it completes them, and reads back every reap asked.
 */
final class FakeKv implements Kv {

    /** One reapAsync call. */
    record Call(int segment, String key, Version version) {
    }

    private final FakeStore store;
    private final LongSupplier clock;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Errors the next reaps fail with, one each, in order. */
    final ConcurrentLinkedQueue<ErrorCode> failNext = new ConcurrentLinkedQueue<>();
    /** Reaps to throw from (instead of failing the returned stage). */
    final AtomicInteger throwNext = new AtomicInteger();
    /** While set, reaps hang until {@link #completeOne()} (they then reap). */
    volatile boolean hold;
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    /** Runs at each call, before anything else (e.g. to move mastership). */
    volatile Runnable onCall = () -> { };

    FakeKv(FakeStore store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Boolean> reapAsync(byte[] key, Version expiredVersion) {
        int segment = store.segmentOf(key);
        calls.add(new Call(segment, earthwo.api.Keys.string(key), expiredVersion));
        onCall.run();
        if (throwNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("broken reap");
        }
        ErrorCode failure = failNext.poll();
        if (failure != null) {
            return CompletableFuture.failedFuture(new EarthwoException(failure, "test failure"));
        }
        if (!hold) {
            return CompletableFuture.completedFuture(reap(segment, key, expiredVersion));
        }
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        held.add(() -> {
            outstanding.decrementAndGet();
            f.complete(reap(segment, key, expiredVersion));
        });
        return f;
    }

    private boolean reap(int segment, byte[] key, Version expiredVersion) {
        Optional<Record> r = store.read(segment, key);
        if (r.isEmpty() || !r.get().version().equals(expiredVersion) || !r.get().isExpiredAt(clock.getAsLong())) {
            return false;
        }
        Version tomb = new Version(expiredVersion.timestamp() + 1, expiredVersion.nodeId());
        return store.apply(segment, Record.tombstone(key, tomb)).applied();
    }

    /** Completes the oldest held reap; false if none is held. */
    boolean completeOne() {
        Runnable r = held.poll();
        if (r == null) {
            return false;
        }
        r.run();
        return true;
    }

    int held() {
        return held.size();
    }

    List<String> keysAsked() {
        List<String> out = new ArrayList<>();
        calls.forEach(c -> out.add(c.key()));
        return out;
    }

    @Override
    public Optional<Record> get(byte[] key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        throw new UnsupportedOperationException();
    }
}

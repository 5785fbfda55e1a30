package earthwo.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The key-value service of a node, registered in the OSGi service registry by the write
 * coordinator. Reads never return deleted or expired keys. Writes are stamped with a
 * {@link Version} and acknowledged after the write concern is met.
 *
 * <p>Failures are {@link EarthwoException}s with a typed {@link ErrorCode}; the asynchronous
 * methods complete exceptionally with them.
 */
public interface Kv {

    Optional<Record> get(byte[] key);

    /**
     * Reads a key without blocking the caller's thread where the implementation may have to ask
     * another replica (a node that has not caught up yet). The default wraps {@link #get}.
     */
    default CompletionStage<Optional<Record>> getAsync(byte[] key) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(get(key));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /** Stores the value and returns the version it was written with. */
    default Version put(byte[] key, byte[] value, WriteOptions options) {
        return Futures.join(putAsync(key, value, options));
    }

    /** Deletes the key; returns true if a live value was there. */
    default boolean delete(byte[] key, WriteOptions options) {
        return Futures.join(deleteAsync(key, options));
    }

    /**
     * Opens a write burst on the calling thread unless one is open there already. A thread that
     * serves requests in turns (an event loop) calls it before the writes of a turn and
     * {@link #endBurst()} after them, so that the writes of one turn share one log write made at
     * the end of the turn on that thread, as Redis writes its append-only file once per
     * event-loop turn. Between the two calls the futures of this thread's writes complete only in
     * {@code endBurst()}, so the thread must not wait for them in between. The default takes no
     * part: writes then make themselves durable on the implementation's own threads.
     *
     * @return true if this call opened a burst: the caller must then call {@link #endBurst()} on
     *         this thread once it has no more requests at hand; false otherwise
     */
    default boolean beginBurst() {
        return false;
    }

    /**
     * Ends the calling thread's burst: makes its writes durable with one log write and completes
     * their futures on this thread (exceptionally, with a typed error, if that failed). Does
     * nothing on a thread without an open burst.
     */
    default void endBurst() {
    }

    CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options);

    CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options);

    /**
     * Changes the expiry of a live key: {@code expiresAt} in the future sets it, {@link Record#NEVER}
     * removes it (PERSIST), a time not in the future deletes the key (as Redis's EXPIRE does). It is
     * a write like a put: stamped with a new version, replicated, last writer wins; the key's value
     * is kept. An absent key is not changed ({@link ExpireResult#ABSENT}).
     *
     * @param expiresAt absolute expiry in epoch milliseconds (checked by {@link Expiry#checkAbsolute})
     */
    default CompletionStage<ExpireResult> expireAsync(byte[] key, long expiresAt, WriteConcern concern) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new EarthwoException(ErrorCode.UNAVAILABLE, "this node does not support expiry changes"));
    }

    /**
     * As {@link #expireAsync}, {@code ttlMillis} milliseconds from now by this node's clock (0
     * deletes the key).
     *
     * @throws EarthwoException BAD_REQUEST (in the stage) for a negative time or one past year 9999
     */
    default CompletionStage<ExpireResult> expireInAsync(byte[] key, long ttlMillis, WriteConcern concern) {
        try {
            return expireAsync(key, Expiry.fromTtl(System.currentTimeMillis(), ttlMillis, true), concern);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Milliseconds a live key has left by this node's clock, {@link Expiry#TTL_NONE} for a key
     * without expiry, {@link Expiry#TTL_ABSENT} for an absent one.
     */
    default CompletionStage<Long> ttlAsync(byte[] key) {
        return getAsync(key).thenApply(r -> Expiry.remaining(r.orElse(null), System.currentTimeMillis()));
    }

    /**
     * Deletes an expired key, as the master of its segment does when it reaps: writes a tombstone
     * (a replicated delete with its own version) only if the key still holds the record of
     * {@code expiredVersion} and that record has expired by this node's clock. Completes with
     * whether it did, once the tombstone is durable and the cluster's write concern is met. Runs
     * only on a replica of the key's segment (else WRONG_SEGMENT); nothing is forwarded.
     */
    default CompletionStage<Boolean> reapAsync(byte[] key, Version expiredVersion) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new EarthwoException(ErrorCode.UNAVAILABLE, "this node does not support reaping"));
    }

    /**
     * Live keys starting with {@code prefix}, in key order, strictly after {@code startAfter}
     * when it is not null, at most {@code limit} of them (over all segments this node holds).
     */
    ScanPage scan(byte[] prefix, byte[] startAfter, int limit);
}

package earthwo.api.client;

import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A connection to an Earthwo cluster. Sync methods block; async methods return
 * {@link CompletableFuture}s and may be issued many at a time, pipelined on one connection.
 * Failures are {@link earthwo.api.EarthwoException}s. Close it when done.
 */
public interface KvClient extends AutoCloseable {

    CompletableFuture<Optional<Record>> getAsync(byte[] key);

    CompletableFuture<Version> putAsync(byte[] key, byte[] value, WriteOptions options);

    CompletableFuture<Boolean> deleteAsync(byte[] key, WriteOptions options);

    CompletableFuture<ScanPage> scanAsync(byte[] prefix, byte[] startAfter, int limit);

    /**
     * Makes a live key expire {@code ttlMillis} milliseconds from now by the clock of the node that
     * takes the request (0: deletes it, as Redis's EXPIRE does). The value is kept; the change is
     * a replicated write under {@code concern}. An absent key: {@link ExpireResult#ABSENT}.
     */
    CompletableFuture<ExpireResult> expireAsync(byte[] key, long ttlMillis, WriteConcern concern);

    /** As {@link #expireAsync}, at an absolute time in epoch milliseconds (not in the future: deletes). */
    CompletableFuture<ExpireResult> expireAtAsync(byte[] key, long epochMillis, WriteConcern concern);

    /** Removes a live key's expiry: {@link ExpireResult#PERSISTED}, NO_EXPIRY or ABSENT. */
    CompletableFuture<ExpireResult> persistAsync(byte[] key, WriteConcern concern);

    /**
     * Milliseconds the key has left by the serving node's clock; {@link Expiry#TTL_NONE} (-1) for
     * a live key without expiry, {@link Expiry#TTL_ABSENT} (-2) for an absent one.
     */
    CompletableFuture<Long> ttlAsync(byte[] key);

    /**
     * One page of a secondary index query. Any node answers it (the node asks one replica of every
     * segment and merges), so it goes to a node that answers, and to another when that one is
     * unavailable, busy or unreachable. Pass the page's {@link IndexPage#cursor() cursor} to
     * {@link IndexQuery#after} for the next page. Fails with BAD_REQUEST for an unknown index,
     * PARTIAL_RESULT when no replica of some segments could answer, UNAVAILABLE when no node runs
     * the indexes.
     */
    CompletionStage<IndexPage> queryAsync(IndexQuery query);

    default IndexPage query(IndexQuery query) {
        return earthwo.api.Futures.join(queryAsync(query));
    }

    /** The node's status as name/value pairs (node id, segments, store size, ...). */
    /**
     * Publishes {@code message} on {@code channel} through the client's home node (any node will
     * do: the message reaches every matching subscriber of the cluster). A publish whose answer was
     * lost is sent again, so a subscriber may then receive it twice under two sequences.
     */
    CompletableFuture<PublishResult> publishAsync(String channel, byte[] message);

    default PublishResult publish(String channel, byte[] message) {
        return earthwo.api.Futures.join(publishAsync(channel, message));
    }

    /**
     * Subscribes on the client's home node (then, after a failure, another node); take messages
     * with {@link ChannelSubscription#next}. The subscription's own connection is opened at once;
     * {@link ChannelSubscription#ready()} completes when the node took it.
     */
    ChannelSubscription subscribe(SubscribeRequest request);

    /**
     * As {@link #subscribe(SubscribeRequest)}, delivering to {@code listener} on a thread of the
     * subscription's own, one call at a time: messages, gaps, then {@code onClosed} once (null
     * when closed by {@link ChannelSubscription#close()}). The listener may call this client's
     * blocking methods (unlike callbacks of the async calls).
     */
    ChannelSubscription subscribe(SubscribeRequest request, ChannelListener listener);

    CompletableFuture<Map<String, String>> statusAsync();

    default Optional<Record> get(byte[] key) {
        return earthwo.api.Futures.join(getAsync(key));
    }

    default Version put(byte[] key, byte[] value) {
        return earthwo.api.Futures.join(putAsync(key, value, WriteOptions.DEFAULT));
    }

    default Version put(byte[] key, byte[] value, WriteOptions options) {
        return earthwo.api.Futures.join(putAsync(key, value, options));
    }

    default boolean delete(byte[] key) {
        return earthwo.api.Futures.join(deleteAsync(key, WriteOptions.DEFAULT));
    }

    default ExpireResult expire(byte[] key, long ttlMillis) {
        return earthwo.api.Futures.join(expireAsync(key, ttlMillis, WriteConcern.DEFAULT));
    }

    default ExpireResult expireAt(byte[] key, long epochMillis) {
        return earthwo.api.Futures.join(expireAtAsync(key, epochMillis, WriteConcern.DEFAULT));
    }

    default ExpireResult persist(byte[] key) {
        return earthwo.api.Futures.join(persistAsync(key, WriteConcern.DEFAULT));
    }

    default long ttl(byte[] key) {
        return earthwo.api.Futures.join(ttlAsync(key));
    }

    default ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        return earthwo.api.Futures.join(scanAsync(prefix, startAfter, limit));
    }

    /** Runs an admin command on the node (needs the admin secret in the client config). */
    CompletableFuture<String> execAsync(String commandLine);

    @Override
    void close();
}

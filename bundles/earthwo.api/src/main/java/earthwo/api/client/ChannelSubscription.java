package earthwo.api.client;

import earthwo.api.EarthwoException;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.ResumePoint;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A client's subscription to channels ({@link KvClient#subscribe}). It holds its own connection to
 * one node; when that node dies or its channels stop, it reconnects to another node of the cluster
 * and resumes from its {@link #position()}: what the nodes' windows still hold arrives without
 * duplicates, and what they no longer hold is reported as a {@link Gap}.
 *
 * <p>Messages wait in a bounded buffer of the client until {@link #next} (or the listener) takes
 * them: as many as the request's {@link earthwo.api.channels.SubscribeRequest#withBufferSize buffer
 * size}, or 10,000 when the request leaves it to the node. A subscriber that does not keep up first fills that buffer, then the connection, then the
 * node's buffer for it: the node then ends the subscription with SLOW_CONSUMER, which is final.
 */
public interface ChannelSubscription extends AutoCloseable {

    /** Completes when the first node took the subscription, so later publishes reach it. */
    java.util.concurrent.CompletableFuture<Void> ready();

    /**
     * The next message, waiting at most {@code timeout}; null when none came in time. Gaps met on
     * the way are counted and kept in {@link #gaps()}.
     *
     * @throws EarthwoException once the subscription failed (SLOW_CONSUMER; UNAVAILABLE when no
     *         node took it back within the client's failover time) and everything before the
     *         failure was taken; {@code IllegalStateException} after {@link #close()} or when a
     *         listener receives the messages
     */
    ChannelMessage next(Duration timeout) throws InterruptedException;

    /** True until closed or failed. */
    boolean isOpen();

    /** Why the subscription failed, once it has. */
    Optional<EarthwoException> failure();

    /** The last sequence received per stream, and when the subscription began (node clock). */
    ResumePoint position();

    /** The address of the node serving the subscription now (null between nodes). */
    String node();

    /** Messages received. */
    long received();

    /** The gaps received so far (the latest 1,000). */
    List<Gap> gaps();

    /** How often the subscription moved to another node (or re-subscribed on the same one). */
    int failovers();

    /** Ends the subscription and its connection. Idempotent. */
    @Override
    void close();
}

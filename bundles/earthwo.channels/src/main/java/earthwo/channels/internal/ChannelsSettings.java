package earthwo.channels.internal;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the channels component, resolved with {@link NodeProperties}: component
 * configuration (PID {@value #PID}), then framework property, then the default next to each key.
 * The message limit is the node's value limit ({@link NodeProperties#MAX_VALUE_BYTES}).
 */
final class ChannelsSettings {

    static final String PID = "earthwo.channels";

    /** Messages a node keeps per channel for subscribers that resume, at most. */
    static final String RETAIN_COUNT = "earthwo.channels.retain.count";
    static final String RETAIN_COUNT_DEFAULT = "10000";

    /** How long a node keeps a message in its channel's window (ms). */
    static final String RETAIN_MS = "earthwo.channels.retain.ms";
    static final String RETAIN_MS_DEFAULT = "10000";

    /**
     * Bytes the windows of all channels on this node keep together, at most; beyond, the node's
     * oldest messages are evicted first, whatever their channel (counted: the "evicted" status).
     * A message counts as its payload and channel name plus a fixed
     * {@value RetentionWindow#MESSAGE_OVERHEAD} bytes. The bound holds however many channels
     * there are, which the per-channel count and age do not.
     */
    static final String WINDOW_MAX_BYTES = "earthwo.channels.window.max.bytes";
    static final String WINDOW_MAX_BYTES_DEFAULT = "67108864";

    /** A subscription's buffer in messages when its request does not say. */
    static final String BUFFER = "earthwo.channels.buffer";
    static final String BUFFER_DEFAULT = "10000";

    /** How long a node waits for another node to take forwarded messages or answer a question (ms). */
    static final String PEER_TIMEOUT = "earthwo.channels.peer.timeout.ms";
    static final String PEER_TIMEOUT_DEFAULT = "5000";

    /** How often a node sends its interest to every other node even if it did not change (ms). */
    static final String INTEREST_REFRESH = "earthwo.channels.interest.refresh.ms";
    static final String INTEREST_REFRESH_DEFAULT = "2000";

    /**
     * A node still in the map whose interest was not heard of for this long (ms) is sent nothing
     * more until it is heard of again. Long against the refresh interval: forgetting a live node
     * that was only slow (a pause, a busy machine) loses its subscribers' messages, while a node
     * that left the map is forgotten at once anyway.
     */
    static final String INTEREST_EXPIRE = "earthwo.channels.interest.expire.ms";
    static final String INTEREST_EXPIRE_DEFAULT = "30000";

    /** Threads that call subscribers' listeners. */
    static final String DELIVERY_THREADS = "earthwo.channels.delivery.threads";
    static final String DELIVERY_THREADS_DEFAULT = "4";

    /** Messages waiting for one other node at most; beyond, new ones for it are dropped (counted). */
    static final String PEER_QUEUE = "earthwo.channels.peer.queue";
    static final String PEER_QUEUE_DEFAULT = "100000";

    final int retainCount;
    final long retainMs;
    final long windowMaxBytes;
    final int bufferSize;
    final long peerTimeoutMs;
    final long interestRefreshMs;
    final long interestExpireMs;
    final int deliveryThreads;
    final int peerQueue;
    final int maxMessageBytes;

    ChannelsSettings(int retainCount, long retainMs, long windowMaxBytes, int bufferSize, long peerTimeoutMs,
                     long interestRefreshMs, long interestExpireMs, int deliveryThreads, int peerQueue,
                     int maxMessageBytes) {
        this.retainCount = retainCount;
        this.retainMs = retainMs;
        this.windowMaxBytes = windowMaxBytes;
        this.bufferSize = bufferSize;
        this.peerTimeoutMs = peerTimeoutMs;
        this.interestRefreshMs = interestRefreshMs;
        this.interestExpireMs = interestExpireMs;
        this.deliveryThreads = deliveryThreads;
        this.peerQueue = peerQueue;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The defaults, as a node without configuration has them. */
    static ChannelsSettings defaults() {
        return resolve(Map.of(), k -> null);
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static ChannelsSettings resolve(Map<String, ?> c, UnaryOperator<String> f) {
        long refresh = NodeProperties.getLong(INTEREST_REFRESH, c, f, INTEREST_REFRESH_DEFAULT, 10, 600_000);
        long expire = NodeProperties.getLong(INTEREST_EXPIRE, c, f, INTEREST_EXPIRE_DEFAULT, 30, 3_600_000);
        if (expire < 3 * refresh) {
            throw new IllegalArgumentException("setting " + INTEREST_EXPIRE + " (" + expire
                    + ") must be at least three times " + INTEREST_REFRESH + " (" + refresh + ")");
        }
        return new ChannelsSettings(
                NodeProperties.getInt(RETAIN_COUNT, c, f, RETAIN_COUNT_DEFAULT, 0, 10_000_000),
                NodeProperties.getLong(RETAIN_MS, c, f, RETAIN_MS_DEFAULT, 0, 86_400_000),
                NodeProperties.getLong(WINDOW_MAX_BYTES, c, f, WINDOW_MAX_BYTES_DEFAULT, 0, 1L << 40),
                NodeProperties.getInt(BUFFER, c, f, BUFFER_DEFAULT, 1, 1_000_000),
                NodeProperties.getLong(PEER_TIMEOUT, c, f, PEER_TIMEOUT_DEFAULT, 10, 600_000),
                refresh, expire,
                NodeProperties.getInt(DELIVERY_THREADS, c, f, DELIVERY_THREADS_DEFAULT, 1, 256),
                NodeProperties.getInt(PEER_QUEUE, c, f, PEER_QUEUE_DEFAULT, 1, 10_000_000),
                NodeProperties.maxValueBytes(c, f));
    }

    /** A copy with other window bounds per channel (tests). */
    ChannelsSettings withRetention(int count, long ms) {
        return new ChannelsSettings(count, ms, windowMaxBytes, bufferSize, peerTimeoutMs, interestRefreshMs,
                interestExpireMs, deliveryThreads, peerQueue, maxMessageBytes);
    }

    /** A copy with another bound on all windows together (tests). */
    ChannelsSettings withWindowMaxBytes(long bytes) {
        return new ChannelsSettings(retainCount, retainMs, bytes, bufferSize, peerTimeoutMs, interestRefreshMs,
                interestExpireMs, deliveryThreads, peerQueue, maxMessageBytes);
    }

    /** A copy with another default buffer (tests). */
    ChannelsSettings withBuffer(int messages) {
        return new ChannelsSettings(retainCount, retainMs, windowMaxBytes, messages, peerTimeoutMs, interestRefreshMs,
                interestExpireMs, deliveryThreads, peerQueue, maxMessageBytes);
    }

    /** A copy with another message limit (tests). */
    ChannelsSettings withMaxMessageBytes(int bytes) {
        return new ChannelsSettings(retainCount, retainMs, windowMaxBytes, bufferSize, peerTimeoutMs, interestRefreshMs,
                interestExpireMs, deliveryThreads, peerQueue, bytes);
    }

    @Override
    public String toString() {
        return "window " + retainCount + " messages / " + retainMs + " ms per channel, " + windowMaxBytes
                + " bytes in all, buffer " + bufferSize + ", peer timeout "
                + peerTimeoutMs + " ms, interest refresh " + interestRefreshMs + " ms / expiry " + interestExpireMs + " ms, " + deliveryThreads
                + " delivery threads, message limit " + maxMessageBytes + " bytes";
    }
}

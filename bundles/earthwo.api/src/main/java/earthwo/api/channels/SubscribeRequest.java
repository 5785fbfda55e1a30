package earthwo.api.channels;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.List;
import java.util.Optional;

/**
 * What to subscribe to: channels by exact name and/or {@link ChannelPattern patterns} (at least
 * one of either, at most {@value #MAX_TOPICS} in all), an optional {@link ResumePoint}, the
 * buffer size in messages (0: the node's default) and an optional connection key under which the
 * node counts the subscriptions of one client connection
 * ({@link Channels#MAX_SUBSCRIPTIONS_PER_CONNECTION}). Immutable; the {@code with…} methods
 * return a changed copy.
 */
public final class SubscribeRequest {

    /** The most channels and patterns one request may name. */
    public static final int MAX_TOPICS = 1_000;
    /** The largest buffer a subscription may ask for. */
    public static final int MAX_BUFFER = 1_000_000;

    private final List<String> channels;
    private final List<String> patterns;
    private final ResumePoint resumePoint;
    private final int bufferSize;
    private final String connection;

    private SubscribeRequest(List<String> channels, List<String> patterns, ResumePoint resumePoint, int bufferSize,
                             String connection) {
        this.channels = List.copyOf(channels);
        this.patterns = List.copyOf(patterns);
        this.resumePoint = resumePoint;
        this.bufferSize = bufferSize;
        this.connection = connection;
    }

    /** Channels by name. */
    public static SubscribeRequest ofChannels(String... names) {
        return new SubscribeRequest(List.of(names), List.of(), null, 0, null);
    }

    /** Channels matching patterns. */
    public static SubscribeRequest ofPatterns(String... patterns) {
        return new SubscribeRequest(List.of(), List.of(patterns), null, 0, null);
    }

    public SubscribeRequest withChannels(List<String> names) {
        return new SubscribeRequest(names, patterns, resumePoint, bufferSize, connection);
    }

    public SubscribeRequest withPatterns(List<String> newPatterns) {
        return new SubscribeRequest(channels, newPatterns, resumePoint, bufferSize, connection);
    }

    public SubscribeRequest resumingFrom(ResumePoint point) {
        return new SubscribeRequest(channels, patterns, point, bufferSize, connection);
    }

    /** The buffer in messages, 1 to {@value #MAX_BUFFER}; 0 for the node's default. */
    public SubscribeRequest withBufferSize(int messages) {
        return new SubscribeRequest(channels, patterns, resumePoint, messages, connection);
    }

    /** The client connection this subscription belongs to (null: none, not counted). */
    public SubscribeRequest onConnection(String key) {
        return new SubscribeRequest(channels, patterns, resumePoint, bufferSize, key);
    }

    public List<String> channels() {
        return channels;
    }

    public List<String> patterns() {
        return patterns;
    }

    public Optional<ResumePoint> resumePoint() {
        return Optional.ofNullable(resumePoint);
    }

    public int bufferSize() {
        return bufferSize;
    }

    public Optional<String> connection() {
        return Optional.ofNullable(connection);
    }

    /** Throws BAD_REQUEST or TOO_LARGE naming what is wrong. */
    public void check() {
        if (channels.isEmpty() && patterns.isEmpty()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a subscription needs a channel or a pattern");
        }
        if (channels.size() + patterns.size() > MAX_TOPICS) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, "a subscription names at most " + MAX_TOPICS
                    + " channels and patterns, not " + (channels.size() + patterns.size()));
        }
        channels.forEach(ChannelNames::checkName);
        patterns.forEach(ChannelNames::checkPattern);
        if (bufferSize < 0 || bufferSize > MAX_BUFFER) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "buffer size " + bufferSize + " is not within 0.."
                    + MAX_BUFFER);
        }
        if (resumePoint != null) {
            resumePoint.lastReceived().forEach((stream, seq) -> {
                PublisherIds.nodeOf(stream.publisherId());
                if (seq < 0) {
                    throw new EarthwoException(ErrorCode.BAD_REQUEST, "negative sequence for " + stream);
                }
            });
        }
    }

    @Override
    public String toString() {
        return "channels " + channels + ", patterns " + patterns + (resumePoint == null ? "" : ", resuming")
                + (connection == null ? "" : ", connection " + connection);
    }
}

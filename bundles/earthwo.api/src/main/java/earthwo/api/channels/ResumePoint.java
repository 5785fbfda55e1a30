package earthwo.api.channels;

import java.util.Map;

/**
 * Where a subscriber that fails over to another node resumes: the last sequence it received per
 * stream (publisher and channel), and the time of its first subscription.
 *
 * <p>The new node delivers every message its window, and the publishing nodes' windows, still
 * hold after the given sequence of each stream, then live messages, without duplicates. A stream
 * not named here (a publisher that started meanwhile) is replayed from the messages published at
 * or after {@code since} (epoch ms; {@link #NO_SINCE}: not replayed). When the windows no longer
 * hold a stream's next message, the subscriber gets a {@link Gap} naming what is lost.
 *
 * @param lastReceived last sequence received per stream
 * @param since streams not named are replayed from this publish time; {@link #NO_SINCE} for none
 */
public record ResumePoint(Map<StreamKey, Long> lastReceived, long since) {

    /** Streams not named in a resume point are not replayed. */
    public static final long NO_SINCE = Long.MAX_VALUE;

    public ResumePoint {
        lastReceived = Map.copyOf(lastReceived);
    }

    /** Resumes only the named streams. */
    public static ResumePoint of(Map<StreamKey, Long> lastReceived) {
        return new ResumePoint(lastReceived, NO_SINCE);
    }
}

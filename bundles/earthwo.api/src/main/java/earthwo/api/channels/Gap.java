package earthwo.api.channels;

/**
 * Messages a subscriber missed and will not receive: sequences {@code firstMissing} to
 * {@code lastMissing} (inclusive) of one publisher on one channel.
 */
public record Gap(String channel, String publisherId, long firstMissing, long lastMissing) {

    /** How many messages are missing. */
    public long count() {
        return lastMissing - firstMissing + 1;
    }

    @Override
    public String toString() {
        return "gap in " + channel + " from " + publisherId + ": " + firstMissing + ".." + lastMissing;
    }
}

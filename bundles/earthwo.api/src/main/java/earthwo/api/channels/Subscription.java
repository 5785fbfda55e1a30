package earthwo.api.channels;

/**
 * An open subscription; {@link #close()} ends it (idempotent) and calls the listener's
 * {@code onClosed(null)} once what was buffered is dropped.
 */
public interface Subscription extends AutoCloseable {

    /** Unique on its node. */
    long id();

    /**
     * Completes when every node of the cluster has learnt of this subscription (or could not be
     * reached within the node's peer timeout), so messages published anywhere from then on reach
     * it, and, when resuming, once what the windows held is in line before live messages.
     */
    java.util.concurrent.CompletionStage<Void> ready();

    /** True until closed by its owner, cut off, or its node stopped. */
    boolean isOpen();

    /**
     * Stops delivering to the listener; messages keep arriving into the buffer, and a full buffer
     * cuts the subscription off with SLOW_CONSUMER. For a listener whose connection cannot take
     * more at the moment.
     */
    void pause();

    /** Delivers again after {@link #pause()}. */
    void resume();

    /** Messages handed to the listener. */
    long delivered();

    /** Messages waiting in the buffer now. */
    int buffered();

    /** The buffer's size in messages. */
    int bufferSize();

    /** Gaps reported to the listener. */
    long gaps();

    /** Messages received twice (replay overlapping live traffic) and not delivered again. */
    long duplicatesSkipped();

    /** The position reached: the last sequence delivered per stream, to resume from elsewhere. */
    ResumePoint position();

    @Override
    void close();
}

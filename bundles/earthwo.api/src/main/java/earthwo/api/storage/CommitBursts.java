package earthwo.api.storage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Lets a thread that serves requests in turns (an event loop) make the changes of one turn
 * durable with one log write at the end of the turn, on that thread, as Redis writes its
 * append-only file once per event-loop turn before it answers. Without it,
 * {@link SegmentStore#durable()} hands every group of commits to a thread of the store and its
 * completion back to the caller's thread: two thread wake-ups per group, which cost more CPU
 * than the log write itself when each turn carries only a few writes.
 *
 * <p>Between {@link #begin()} and {@link #end()} on one thread, the futures that
 * {@link SegmentStore#durable()} returns on that thread complete only in {@code end()}, so that
 * thread must not wait for them in between (an event loop never waits). Other threads are not
 * affected. A store whose durability makes a log write expensive (an fsync per write) does not
 * take part: its {@code begin()} returns false and its commits keep their own thread.
 *
 * <p>Provided by the storage bundle next to its {@link SegmentStore}; the write coordinator offers
 * it to the node's event loops through {@link earthwo.api.Kv#beginBurst()}.
 */
@ProviderType
public interface CommitBursts {

    /**
     * Opens a burst on the calling thread unless one is open there already.
     *
     * @return true if this call opened it: the caller must then call {@link #end()} on this
     *         thread once it has no more requests at hand (for an event loop: a task it
     *         schedules on itself); false if a burst was open or the store does not take part
     */
    boolean begin();

    /**
     * Ends the calling thread's burst: writes the log once for every change whose
     * {@link SegmentStore#durable()} was asked for in the burst, then completes those futures on
     * this thread (exceptionally, with the store's typed error, if the write failed or the store
     * closed meanwhile). Does nothing on a thread without an open burst.
     */
    void end();
}

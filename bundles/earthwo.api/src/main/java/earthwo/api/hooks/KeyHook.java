package earthwo.api.hooks;

import org.osgi.annotation.versioning.ConsumerType;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A plug-in that is told of key changes (whiteboard: any bundle registers a service of this type;
 * dropping its jar into a node's {@code deploy/} is enough). The master of each segment delivers
 * the segment's events to every hook from the durable outbox the writes recorded them in, at least
 * once and, for each key, in version order. After a failover the new master delivers again from
 * the last acknowledged point, so a hook may see a suffix of events twice ({@link KeyEvent#id()}
 * tells them apart). Writes never wait for hooks.
 *
 * <p>Service properties: {@link #NAME} (required, unique on a node: the delivery position is
 * kept under it, so an updated hook bundle resumes where the old one stopped), {@link #PREFIXES}
 * and {@link #EVENTS} (optional filters), {@link #BATCH}, {@link #TIMEOUT_MS} and
 * {@link #MAX_BACKOFF_MS} (optional, else the node's settings).
 */
@ConsumerType
public interface KeyHook {

    /** Service property, String: the hook's unique name. */
    String NAME = "earthwo.hook.name";

    /** Service property, String or String[]: deliver only events of keys starting with one of these. */
    String PREFIXES = "earthwo.hook.prefixes";

    /** Service property, String or String[]: deliver only these {@link EventType} names (GAP always comes). */
    String EVENTS = "earthwo.hook.events";

    /** Service property, Integer: at most this many events per {@link #deliver} call (default: the node's). */
    String BATCH = "earthwo.hook.batch";

    /** Service property, Long: milliseconds a {@link #deliver} call may take before it counts as failed (default: the node's). */
    String TIMEOUT_MS = "earthwo.hook.timeout.ms";

    /** Service property, Long: the longest pause between attempts of a failing batch, in ms (default: the node's). */
    String MAX_BACKOFF_MS = "earthwo.hook.backoff.max.ms";

    /**
     * Takes a batch of events of one segment, in version order. Completing the stage normally
     * acknowledges every event of the batch; completing it exceptionally, throwing, or a stage
     * that does not complete within the hook's delivery timeout (counted from the call) delivers
     * the same batch again later, with back-off.
     *
     * <p>Called on a thread of this hook's own, so a hook that blocks delays only itself: other
     * hooks and writes go on. But only the returned stage is timed out: a call that does not
     * return is not retried (nothing interrupts it) and holds this hook's thread, and with it
     * this hook's outbox position, until it returns or the hook is removed: no later event is
     * delivered to this hook meanwhile, and the outbox is not trimmed past that position (once
     * the outbox holds {@code earthwo.storage.outbox.max.events}, its oldest events are dropped
     * and the hook gets a GAP; a removed hook's position holds it back until the name is
     * forgotten, {@code earthwo.hooks.forget.after.ms}). Such a hook is shown {@code stuck} by
     * {@code hook:list} once the call has run longer than the timeout. Return a stage at once and
     * do slow work asynchronously.
     */
    CompletionStage<Void> deliver(List<KeyEvent> events);
}

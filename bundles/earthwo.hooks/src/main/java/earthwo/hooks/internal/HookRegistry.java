package earthwo.hooks.internal;

import earthwo.api.Version;
import earthwo.api.hooks.KeyHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The hooks of the whiteboard by name: a name belongs to one service at a time (its positions
 * are kept under it); a second service with a taken name is refused with an error, and takes the
 * name over when the first goes away. Each accepted hook gets a {@link HookRunner}, unless the
 * store keeps no outbox yet: its runner starts when the outbox is switched on. Pauses and figures are kept per name, so an updated hook bundle (its
 * service goes and comes back) stays paused and continues its counts.
 *
 * <p>A runner is stopped outside the lock (it may wait for a delivery in flight) and a refused
 * service takes the name over only once the old runner ended or was abandoned (an abandoned
 * thread saves nothing when its call returns): two threads never save positions under one name.
 * Waits are bounded by {@link #MAX_STOP_WAIT_MS} in all, whatever the hooks' timeouts, so a node
 * stops in time; a runner already stuck inside a call is not waited for.
 */
final class HookRegistry {

    /** Makes the runner of an accepted hook (not started). */
    interface RunnerFactory {
        HookRunner create(HookSpec spec, KeyHook hook, HookStats stats, boolean paused);
    }

    /** A hook as the commands and the status see it; {@code stuckMs} 0 unless it is stuck. */
    record Entry(HookSpec spec, HookState state, HookStats stats, Map<Integer, Version> positions, long stuckMs) {
    }

    private record Registered(HookSpec spec, KeyHook hook, HookRunner runner) {
    }

    /** The figures shown for a refused service: it never delivered anything. */
    private static final HookStats NONE = new HookStats();

    /** Margin over a hook's delivery timeout when waiting for its thread to end. */
    static final long STOP_MARGIN_MS = 1_000;
    /**
     * The longest wait for hook threads to end, in all: when a hook is removed, and when the
     * dispatcher stops (every thread at once). {@code bin/earthwo stop} gives a node 30 s.
     */
    static final long MAX_STOP_WAIT_MS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(HookRegistry.class);

    private final int nodeId;
    private boolean outbox;
    private final RunnerFactory factory;
    private final Map<String, Registered> byName = new TreeMap<>();
    private final List<Registered> refused = new ArrayList<>();
    private final Set<String> paused = new HashSet<>();
    /** Names whose runner is being stopped: taken until it ended. */
    private final Set<String> stopping = new HashSet<>();
    private final Map<String, HookStats> stats = new HashMap<>();
    private boolean closed;

    HookRegistry(int nodeId, boolean outbox, RunnerFactory factory) {
        this.nodeId = nodeId;
        this.outbox = outbox;
        this.factory = factory;
    }

    /** The store keeps an outbox now: hooks accepted before start their runners. */
    synchronized void outboxOn() {
        if (outbox || closed) {
            outbox = true;
            return;
        }
        outbox = true;
        for (Registered r : List.copyOf(byName.values())) {
            if (r.runner() == null) {
                accept(r.hook(), r.spec());
            }
        }
    }

    /** Takes a new hook service: starts its runner, or refuses it when its name is taken. */
    synchronized void add(KeyHook hook, HookSpec spec) {
        if (closed) {
            return;
        }
        Registered holder = byName.get(spec.name());
        if (holder != null || stopping.contains(spec.name())) {
            refused.add(new Registered(spec, hook, null));
            LOG.error("node {}: hook service {} of bundle {} is refused: the name '{}' is taken by {}; it takes the"
                    + " name over if that one goes away", nodeId, spec.serviceId(), spec.bundle(), spec.name(),
                    holder == null ? "a hook that is stopping"
                            : "service " + holder.spec().serviceId() + " of bundle " + holder.spec().bundle());
            return;
        }
        accept(hook, spec);
    }

    /** Drops a hook service (by service id) and stops its runner; a refused one of its name then takes over. */
    void remove(long serviceId) {
        Registered gone;
        synchronized (this) {
            refused.removeIf(r -> r.spec().serviceId() == serviceId);
            gone = null;
            for (Registered r : byName.values()) {
                if (r.spec().serviceId() == serviceId) {
                    gone = r;
                }
            }
            if (gone == null) {
                return;
            }
            byName.remove(gone.spec().name());
            stopping.add(gone.spec().name());
        }
        if (gone.runner() != null) {
            gone.runner().awaitStop(gone.runner().isStuck() ? System.nanoTime() : deadline(gone.spec().timeoutMs()));
        }
        LOG.info("node {}: hook '{}' of bundle {} removed; its positions stay", nodeId, gone.spec().name(),
                gone.spec().bundle());
        synchronized (this) {
            String name = gone.spec().name();
            stopping.remove(name);
            if (closed || byName.containsKey(name)) {
                return;
            }
            for (Iterator<Registered> it = refused.iterator(); it.hasNext(); ) {
                Registered r = it.next();
                if (r.spec().name().equals(name)) {
                    it.remove();
                    LOG.info("node {}: hook service {} of bundle {} takes over the name '{}'", nodeId,
                            r.spec().serviceId(), r.spec().bundle(), name);
                    accept(r.hook(), r.spec());
                    return;
                }
            }
        }
    }

    private void accept(KeyHook hook, HookSpec spec) {
        HookStats s = stats.computeIfAbsent(spec.name(), n -> new HookStats());
        if (!outbox) {
            byName.put(spec.name(), new Registered(spec, hook, null));
            LOG.warn("node {}: hook '{}' of bundle {} gets no events until this node's store keeps an outbox (see"
                    + " the hooks' status: outbox)", nodeId, spec.name(), spec.bundle());
            return;
        }
        HookRunner runner = factory.create(spec, hook, s, paused.contains(spec.name()));
        byName.put(spec.name(), new Registered(spec, hook, runner));
        runner.start();
        LOG.info("node {}: hook '{}' of bundle {} started (prefixes {}, events {}, batch {}, timeout {} ms, back-off up to"
                + " {} ms{})", nodeId, spec.name(), spec.bundle(), spec.filter().prefixesShown(),
                spec.filter().typesShown(), spec.batch(), spec.timeoutMs(), spec.maxBackoffMs(),
                paused.contains(spec.name()) ? ", paused" : "");
    }

    /** Pauses a registered hook; IllegalArgumentException for an unknown name. */
    synchronized void pause(String name) {
        Registered r = known(name);
        paused.add(name);
        if (r.runner() != null) {
            r.runner().setPaused(true);
        }
        LOG.info("node {}: hook '{}' paused", nodeId, name);
    }

    /** Resumes a registered hook; IllegalArgumentException for an unknown name. */
    synchronized void resume(String name) {
        Registered r = known(name);
        paused.remove(name);
        if (r.runner() != null) {
            r.runner().setPaused(false);
        }
        LOG.info("node {}: hook '{}' resumed", nodeId, name);
    }

    private Registered known(String name) {
        Registered r = name == null ? null : byName.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no hook named '" + name + "' on this node"
                    + (byName.isEmpty() ? " (none is registered)" : " (hooks: " + String.join(", ", byName.keySet()) + ")"));
        }
        return r;
    }

    /** Accepted hooks by name, then the refused ones. */
    synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Registered r : byName.values()) {
            HookState state = r.runner() == null ? HookState.NO_OUTBOX : r.runner().state();
            out.add(new Entry(r.spec(), state, stats.get(r.spec().name()),
                    r.runner() == null ? Map.of() : r.runner().positions(),
                    r.runner() == null ? 0 : r.runner().stuckMillis()));
        }
        for (Registered r : refused) {
            out.add(new Entry(r.spec(), HookState.REFUSED, NONE, Map.of(), 0));
        }
        return out;
    }

    /**
     * A position a master sent, saved in the store: the running hook of that name takes it where
     * it is further on than its own (counted in its figures). False if it did not move.
     */
    boolean offer(String name, int segment, Version saved) {
        HookRunner runner;
        HookStats s;
        synchronized (this) {
            Registered r = byName.get(name);
            runner = r == null ? null : r.runner();
            s = stats.get(name);
        }
        if (runner == null || !runner.offer(segment, saved)) {
            return false;
        }
        if (s != null) {
            s.positionsTaken.increment();
        }
        return true;
    }

    /** Logs (once each) hooks whose deliver call has become stuck; returns how many are stuck. */
    int checkStuck() {
        List<HookRunner> runners = new ArrayList<>();
        synchronized (this) {
            for (Registered r : byName.values()) {
                if (r.runner() != null) {
                    runners.add(r.runner());
                }
            }
        }
        int stuck = 0;
        for (HookRunner r : runners) {
            if (r.checkStuck()) {
                stuck++;
            }
        }
        return stuck;
    }

    /** The figures of a name (null if it was never accepted). */
    synchronized HookStats stats(String name) {
        return stats.get(name);
    }

    /** The service id of the hook accepted under the name; IllegalArgumentException if none. */
    synchronized long serviceId(String name) {
        return known(name).spec().serviceId();
    }

    /** Names of the accepted hooks. */
    synchronized Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    /** The positions the running hooks hold, by name. */
    synchronized Map<String, Map<Integer, Version>> positions() {
        Map<String, Map<Integer, Version>> out = new TreeMap<>();
        for (Registered r : byName.values()) {
            if (r.runner() != null) {
                out.put(r.spec().name(), r.runner().positions());
            }
        }
        return out;
    }

    /**
     * Stops every runner: all are told at once, then all are waited for together, until the
     * longest delivery timeout of those not stuck (plus a margin) has passed, at most
     * {@link #MAX_STOP_WAIT_MS} in all. Threads still inside a hook's deliver then are left
     * behind, abandoned. True if every thread ended.
     */
    boolean close() {
        List<Registered> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(byName.values());
            byName.clear();
            refused.clear();
        }
        long longest = -1;
        for (Registered r : all) {
            if (r.runner() != null) {
                r.runner().requestStop();
                if (!r.runner().isStuck()) {
                    longest = Math.max(longest, r.spec().timeoutMs());
                }
            }
        }
        long deadline = longest < 0 ? System.nanoTime() : deadline(longest);
        boolean ended = true;
        for (Registered r : all) {
            if (r.runner() != null) {
                ended &= r.runner().awaitStop(deadline);
            }
        }
        return ended;
    }

    /** When to stop waiting for a thread with a delivery timeout of {@code timeoutMs}: bounded. */
    private static long deadline(long timeoutMs) {
        return System.nanoTime() + Math.min(timeoutMs + STOP_MARGIN_MS, MAX_STOP_WAIT_MS) * 1_000_000;
    }
}

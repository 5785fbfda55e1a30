package earthwo.hooks.internal;

import earthwo.api.Version;
import earthwo.api.storage.SegmentStore;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One hook's delivery positions, per segment: the version through which its events were
 * acknowledged. The store holds them durably ({@link SegmentStore#positions}); this copy is what
 * the hook's thread reads before each batch and what the position sync sends to replicas.
 *
 * <p>A position only moves forward. A segment this node starts to master is loaded from the
 * store again, which may hold a newer position: the one the previous master sent here; then the
 * segment's other replicas are asked for theirs ({@link #takeFurther}). A position a master sends
 * here while this copy holds an older one is taken too ({@link #offer}).
 */
final class Positions {

    private final String name;
    private final SegmentStore store;
    private final Map<Integer, Version> bySegment = new ConcurrentHashMap<>();

    Positions(String name, SegmentStore store) {
        this.name = name;
        this.store = store;
    }

    /** The segment's position; {@link Version#ZERO} before anything was acknowledged. */
    Version get(int segment) {
        return bySegment.getOrDefault(segment, Version.ZERO);
    }

    /** Takes the stored positions of the given segments where they are further on. Reads the store once. */
    void load(Collection<Integer> segments) {
        if (segments.isEmpty()) {
            return;
        }
        Map<Integer, Version> stored = store.positions(name);
        for (int s : segments) {
            Version v = stored.get(s);
            if (v != null) {
                advance(s, v);
            }
        }
    }

    /**
     * Takes the positions of others (the segments' other replicas) where they are further on
     * than the ones held here, saving each durably first. Returns the segments that moved, with
     * the position each had here before.
     */
    Map<Integer, Version> takeFurther(Map<Integer, Version> theirs) {
        Map<Integer, Version> moved = new TreeMap<>();
        theirs.forEach((segment, v) -> {
            Version mine = get(segment);
            if (v.isNewerThan(mine)) {
                save(segment, v);
                moved.put(segment, mine);
            }
        });
        return moved;
    }

    /**
     * Takes a position already saved in the store (sent by a master) where it is further on than
     * the one held here; true if it moved.
     */
    boolean offer(int segment, Version saved) {
        Version before = get(segment);
        advance(segment, saved);
        return saved.isNewerThan(before);
    }

    /** Saves the segment's position durably, then here. */
    void save(int segment, Version through) {
        store.savePosition(name, segment, through);
        advance(segment, through);
    }

    /** The positions held here, by segment. */
    Map<Integer, Version> snapshot() {
        return Map.copyOf(bySegment);
    }

    private void advance(int segment, Version v) {
        bySegment.merge(segment, v, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
}

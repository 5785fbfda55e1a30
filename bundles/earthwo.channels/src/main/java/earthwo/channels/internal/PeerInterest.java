package earthwo.channels.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the other nodes' subscribers want, as each node last told this one: a message goes only
 * to the nodes listed for its channel. A node's snapshot replaces the one before when it is
 * newer: a higher version of the same start of that node, or any version of a new start (a
 * restarted node counts again from 1). A node not heard of for a while, or gone from the segment
 * map, wants nothing.
 */
final class PeerInterest {

    /** A node's interest as of one version of one start (its publisher id names the start). */
    record Snapshot(int nodeId, String start, long version, Interest interest, long heardAt) {
    }

    private final Map<Integer, Snapshot> nodes = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    PeerInterest(LongSupplier clock) {
        this.clock = clock;
    }

    /** Takes a node's snapshot if it is newer than the one held; true if it changed what the node wants. */
    boolean update(int nodeId, String start, long version, Interest interest) {
        boolean[] changed = {false};
        long now = clock.getAsLong();
        nodes.compute(nodeId, (id, held) -> {
            if (held != null && held.start().equals(start) && held.version() > version) {
                return held;
            }
            if (held != null && held.start().equals(start) && held.version() == version) {
                return new Snapshot(id, start, version, held.interest(), now);
            }
            changed[0] = held == null || !held.interest().equals(interest);
            return new Snapshot(id, start, version, interest, now);
        });
        return changed[0];
    }

    /** The nodes that want the channel's messages. */
    List<Integer> nodesWanting(String channel) {
        List<Integer> out = new ArrayList<>(2);
        for (Snapshot s : nodes.values()) {
            if (s.interest().wants(channel)) {
                out.add(s.nodeId());
            }
        }
        return out;
    }

    /** Forgets nodes not in {@code live}, and nodes not heard of for {@code silentMs}; returns those forgotten. */
    List<Integer> forget(Set<Integer> live, long silentMs) {
        long now = clock.getAsLong();
        List<Integer> gone = new ArrayList<>();
        for (Snapshot s : nodes.values()) {
            if (!live.contains(s.nodeId()) || now - s.heardAt() > silentMs) {
                if (nodes.remove(s.nodeId(), s)) {
                    gone.add(s.nodeId());
                }
            }
        }
        return gone;
    }

    /** Nodes with some interest. */
    int interestedNodes() {
        return (int) nodes.values().stream().filter(s -> !s.interest().isEmpty()).count();
    }

    Snapshot of(int nodeId) {
        return nodes.get(nodeId);
    }
}

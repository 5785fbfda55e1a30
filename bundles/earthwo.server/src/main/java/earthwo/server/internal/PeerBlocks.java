package earthwo.server.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fault injection for the node-to-node transport: the node ids this node must not call. A call
 * to a blocked node fails at once with UNAVAILABLE, as if the network between the two nodes were
 * cut. Only outgoing calls are blocked (an incoming PEER frame does not say which node sent it),
 * so a partition between A and B blocks B on A and A on B. Every change is logged at WARN.
 *
 * <p>Operators and tests change it at runtime through the Gogo commands of {@link LinkCommands}
 * ({@code links:block}, {@code links:unblock}, {@code links:blocked}).
 */
final class PeerBlocks {

    private static final Logger LOG = LoggerFactory.getLogger(PeerBlocks.class);

    private final Set<Integer> blocked = ConcurrentHashMap.newKeySet();

    boolean isBlocked(int nodeId) {
        return !blocked.isEmpty() && blocked.contains(nodeId);
    }

    /** Blocks peer traffic to these nodes; returns the blocked set after the change. */
    Set<Integer> block(int... nodes) {
        for (int n : nodes) {
            if (blocked.add(n)) {
                warn("peer links: traffic to node " + n + " is now BLOCKED (fault injection, links:block); blocked "
                        + snapshot());
            }
        }
        return snapshot();
    }

    /** Unblocks these nodes, or every node when none is given; returns the blocked set after. */
    Set<Integer> unblock(int... nodes) {
        if (nodes == null || nodes.length == 0) {
            Set<Integer> was = snapshot();
            blocked.removeAll(was);
            if (!was.isEmpty()) {
                warn("peer links: traffic to nodes " + was + " is unblocked (links:unblock); blocked " + snapshot());
            }
        } else {
            for (int n : nodes) {
                if (blocked.remove(n)) {
                    warn("peer links: traffic to node " + n + " is unblocked (links:unblock); blocked " + snapshot());
                }
            }
        }
        return snapshot();
    }

    /**
     * Logs at WARN from a thread of its own: on a Gogo command's thread, System.err (where the
     * node's logger writes) is the command's output, and the change must reach the node log.
     */
    private static void warn(String message) {
        // inheritThreadLocals false: Gogo's redirection of System.err is an inheritable thread local
        Thread t = new Thread(null, () -> LOG.warn(message), "earthwo-links-faults", 0, false);
        t.setDaemon(true);
        t.start();
        try {
            t.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Set<Integer> snapshot() {
        return new TreeSet<>(blocked);
    }
}

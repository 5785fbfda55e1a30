package earthwo.channels.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Tells the other nodes what this node's subscribers want, and learns what theirs want from the
 * answers: at once when a subscription comes or goes, and every refresh interval (which also
 * reaches a node that joined or restarted, and keeps this node's interest from expiring there).
 * Only interest travels to every node; messages go only to the nodes that want them.
 */
final class InterestExchange {

    private static final Logger LOG = LoggerFactory.getLogger(InterestExchange.class);

    private final int nodeId;
    private final String start;
    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final SubscriptionRegistry registry;
    private final PeerInterest peers;
    private final Duration timeout;
    private final LongAdder sent;
    private long version;
    private PeerMessages.InterestNote current;

    InterestExchange(int nodeId, String start, ClusterView cluster, Supplier<PeerLinks> links,
                     SubscriptionRegistry registry, PeerInterest peers, Duration timeout, LongAdder sent) {
        this.nodeId = nodeId;
        this.start = start;
        this.cluster = cluster;
        this.links = links;
        this.registry = registry;
        this.peers = peers;
        this.timeout = timeout;
        this.sent = sent;
        this.current = new PeerMessages.InterestNote(nodeId, start, 0, Interest.NONE);
    }

    /**
     * Sends this node's interest as it is now to every other node of the map. Completes (never
     * exceptionally) once each answered or failed.
     */
    CompletableFuture<Void> announce() {
        PeerMessages.InterestNote note;
        // The version and the snapshot are taken together: a higher version never holds an older view.
        synchronized (this) {
            note = new PeerMessages.InterestNote(nodeId, start, ++version, registry.interest());
            current = note;
        }
        PeerLinks l = links.get();
        if (l == null) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] payload = PeerMessages.encodeInterest(note);
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int node : cluster.currentMap().nodes().keySet()) {
            if (node == nodeId) {
                continue;
            }
            CompletableFuture<Void> call = new CompletableFuture<>();
            calls.add(call);
            try {
                sent.increment();
                l.call(node, payload, timeout).whenComplete((answer, failure) -> {
                    if (failure != null) {
                        LOG.debug("node {}: node {} did not take this node's channel interest: {}", nodeId, node,
                                failure.toString());
                    } else {
                        learn(answer);
                    }
                    call.complete(null);
                });
            } catch (RuntimeException e) {
                call.complete(null);
            }
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    /** Takes another node's interest and answers with this node's. */
    byte[] receive(PeerMessages.InterestNote note) {
        take(note);
        synchronized (this) {
            return PeerMessages.encodeInterest(current);
        }
    }

    private void learn(byte[] answer) {
        try {
            take(PeerMessages.decodeInterest(answer));
        } catch (RuntimeException e) {
            LOG.warn("node {}: unreadable channel interest in an answer: {}", nodeId, e.getMessage());
        }
    }

    private void take(PeerMessages.InterestNote note) {
        if (note.nodeId() == nodeId) {
            return;
        }
        if (peers.update(note.nodeId(), note.start(), note.version(), note.interest())) {
            LOG.debug("node {}: node {} now wants {}", nodeId, note.nodeId(), note.interest());
        }
    }
}

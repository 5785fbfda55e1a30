package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Asks the other replicas of segments a hook's thread starts to master for the positions they
 * hold of that hook (peer message {@value PositionMessages#ASK}), so that the new master starts
 * from the furthest one: the position sync only reaches replicas that are up, and a master stops
 * sending when it stops mastering, so a node that was down meanwhile (killed, then master again
 * after its restart) would otherwise start from its own older positions and deliver again
 * everything delivered while it was gone.
 *
 * <p>All replicas are asked at once and waited for {@link #TIMEOUT} in all; a replica that does
 * not answer by then, cannot be reached or keeps no outbox is skipped (logged, rate-limited): the
 * hook then sees again what that replica alone knew was acknowledged (at least once).
 *
 * <p>A node that restarts may be made master again before its node-to-node links are bound (the
 * map names it master as soon as it joins, while its server bundle is still starting): when a
 * segment has other live replicas but there are no links yet, the question waits for them up to
 * {@link #LINKS_WAIT_MS} ms. Without links by then nobody is asked.
 */
final class PositionAsk {

    /** How long a new master waits for the other replicas' answers, in all. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** How long a question waits for node-to-node links to be bound (a node that is starting). */
    static final long LINKS_WAIT_MS = 5_000;
    /** How often the wait for links looks again. */
    static final long LINKS_POLL_MS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(PositionAsk.class);

    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final Duration timeout;
    private final long linksWaitMs;
    private final LongAdder asked;
    private final LongAdder unanswered;
    private final RateLimitedLog failureLog = new RateLimitedLog();

    PositionAsk(ClusterView cluster, Supplier<PeerLinks> links, LongAdder asked, LongAdder unanswered) {
        this(cluster, links, TIMEOUT, 0, asked, unanswered);
    }

    /** {@code linksWaitMs}: how long to wait for links that are not bound yet ({@link #LINKS_WAIT_MS}; 0: not at all). */
    PositionAsk(ClusterView cluster, Supplier<PeerLinks> links, Duration timeout, long linksWaitMs, LongAdder asked,
                LongAdder unanswered) {
        this.cluster = cluster;
        this.links = links;
        this.timeout = timeout;
        this.linksWaitMs = linksWaitMs;
        this.asked = asked;
        this.unanswered = unanswered;
    }

    /**
     * The furthest position of hook {@code name} in each of the {@code gained} segments that the segments'
     * other replicas (those in the map's nodes) hold; segments none of them holds one of are left
     * out. Waits at most {@link #TIMEOUT} for answers (and, on a node that is starting, the links
     * wait); never throws for a replica's failure. {@code signal}: a stop ends the wait for links.
     */
    Map<Integer, Version> ask(String name, Collection<Integer> gained, Signal signal) {
        if (gained.isEmpty()) {
            return Map.of();
        }
        Set<Integer> segments = new TreeSet<>(gained);
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        Map<Integer, List<PositionMessages.Question>> byReplica = new TreeMap<>();
        for (int segment : segments) {
            if (segment < 0 || segment >= map.segmentCount()) {
                continue;
            }
            for (int replica : map.replicas(segment)) {
                if (replica != self && map.nodes().containsKey(replica)) {
                    byReplica.computeIfAbsent(replica, r -> new ArrayList<>())
                            .add(new PositionMessages.Question(name, segment));
                }
            }
        }
        if (byReplica.isEmpty()) {
            return Map.of();
        }
        PeerLinks l = awaitLinks(name, signal);
        if (l == null) {
            return Map.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, List<CompletableFuture<byte[]>>> calls = new TreeMap<>();
        byReplica.forEach((replica, questions) -> {
            for (int from = 0; from < questions.size(); from += PositionMessages.MAX_ENTRIES) {
                List<PositionMessages.Question> chunk =
                        questions.subList(from, Math.min(questions.size(), from + PositionMessages.MAX_ENTRIES));
                calls.computeIfAbsent(replica, r -> new ArrayList<>()).add(call(l, replica, chunk));
                asked.increment();
            }
        });
        Map<Integer, Version> furthest = new HashMap<>();
        calls.forEach((replica, futures) -> {
            for (CompletableFuture<byte[]> f : futures) {
                try {
                    byte[] answer = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    for (PositionMessages.Entry e : PositionMessages.decode(PositionMessages.ASK, answer)) {
                        if (e.name().equals(name) && segments.contains(e.segment())) {
                            furthest.merge(e.segment(), e.through(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                        }
                    }
                } catch (TimeoutException | ExecutionException | RuntimeException e) {
                    failed(name, replica, e instanceof TimeoutException
                            ? "no answer within " + timeout.toMillis() + " ms"
                            : Delivery.describe(e instanceof ExecutionException ? e.getCause() : e));
                } catch (InterruptedException e) {
                    // Not restored: the hook's thread goes on to the store (see Signal); skip the rest.
                    failed(name, replica, "interrupted while waiting");
                    return;
                }
            }
        });
        return furthest;
    }

    /** The links, waiting up to the links wait for them to be bound; null without. */
    private PeerLinks awaitLinks(String name, Signal signal) {
        PeerLinks l = links.get();
        if (l != null || linksWaitMs <= 0) {
            return l;
        }
        long start = System.nanoTime();
        long deadline = start + linksWaitMs * 1_000_000;
        while (l == null && deadline - System.nanoTime() > 0 && (signal == null || !signal.isStopped())) {
            if (signal == null) {
                try {
                    Thread.sleep(LINKS_POLL_MS);
                } catch (InterruptedException e) {
                    break; // not restored, see Signal
                }
            } else {
                signal.await(LINKS_POLL_MS);
            }
            l = links.get();
        }
        if (l == null) {
            failed(name, -1, "no node-to-node links after " + linksWaitMs + " ms");
        } else {
            LOG.debug("node {} hook '{}': node-to-node links bound after {} ms", cluster.localNodeId(), name,
                    (System.nanoTime() - start) / 1_000_000);
        }
        return l;
    }

    private void failed(String name, int replica, String why) {
        unanswered.increment();
        long n = failureLog.event();
        if (n > 0) {
            LOG.info("node {} hook '{}': {} did not tell {} positions of the segments this node starts to master: {};"
                    + " starting without them ({} such failures since the last line about them)", cluster.localNodeId(),
                    name, replica < 0 ? "the other replicas" : "node " + replica, replica < 0 ? "their" : "its", why, n);
        }
    }

    private CompletableFuture<byte[]> call(PeerLinks l, int replica, List<PositionMessages.Question> chunk) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        try {
            CompletionStage<byte[]> stage = l.call(replica, PositionMessages.encodeAsk(chunk), timeout);
            stage.whenComplete((v, e) -> {
                if (e == null) {
                    done.complete(v);
                } else {
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }
}

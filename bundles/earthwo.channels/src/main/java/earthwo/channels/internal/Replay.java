package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.PublisherIds;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Gathers what a resuming subscriber missed: from this node's window and from the windows of the
 * nodes that may hold more (the publishers' nodes of the resumed streams, every node when streams
 * not named are wanted too), page by page. Each stream's messages come out once, in sequence, the
 * streams interleaved by publish time, followed by how far each stream went, so the subscription
 * can name a gap even when no message of it is left.
 */
final class Replay {

    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    /** Payload bytes per answer, below the frame limit. */
    static final long PAGE_BYTES = 8L * 1024 * 1024;
    private static final int MAX_PAGES = 10_000;

    private final int nodeId;
    private final RetentionWindow window;
    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final Duration timeout;

    Replay(int nodeId, RetentionWindow window, ClusterView cluster, Supplier<PeerLinks> links, Duration timeout) {
        this.nodeId = nodeId;
        this.window = window;
        this.cluster = cluster;
        this.links = links;
        this.timeout = timeout;
    }

    /** The items of the replay ({@link ChannelMessage}s and {@link LocalSubscription.StreamEnd}s). */
    CompletableFuture<List<Object>> gather(Interest wanted, ResumePoint point) {
        Merge merge = new Merge();
        RetentionWindow.Slice local = window.after(wanted, point.lastReceived(), point.since(), Long.MAX_VALUE);
        merge.add(local.messages(), local.lastSeen());
        PeerLinks l = links.get();
        List<CompletableFuture<Void>> asks = new ArrayList<>();
        if (l != null) {
            for (int node : nodesToAsk(point)) {
                asks.add(ask(l, node, wanted, point.since(), point.lastReceived(), merge, 0));
            }
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> merge.items());
    }

    private Set<Integer> nodesToAsk(ResumePoint point) {
        Set<Integer> nodes = new TreeSet<>();
        Set<Integer> live = cluster.currentMap().nodes().keySet();
        if (point.since() != ResumePoint.NO_SINCE) {
            nodes.addAll(live);
        } else {
            for (StreamKey s : point.lastReceived().keySet()) {
                int publisherNode = PublisherIds.nodeOf(s.publisherId());
                if (live.contains(publisherNode)) {
                    nodes.add(publisherNode);
                }
            }
        }
        nodes.remove(nodeId);
        return nodes;
    }

    private CompletableFuture<Void> ask(PeerLinks l, int node, Interest wanted, long since, Map<StreamKey, Long> after,
                                        Merge merge, int page) {
        byte[] question = PeerMessages.encodeAsk(new PeerMessages.ReplayAsk(wanted, since, after));
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            l.call(node, question, timeout).whenComplete((answer, failure) -> {
                if (failure != null) {
                    LOG.warn("node {}: node {} could not say what its channel window holds for a resuming subscriber: {}",
                            nodeId, node, failure.toString());
                    done.complete(null);
                    return;
                }
                PeerMessages.ReplayAnswer a;
                try {
                    a = PeerMessages.decodeAnswer(answer);
                } catch (RuntimeException e) {
                    LOG.warn("node {}: unreadable window answer from node {}: {}", nodeId, node, e.getMessage());
                    done.complete(null);
                    return;
                }
                merge.add(a.messages(), a.lastSeen());
                if (!a.truncated() || a.messages().isEmpty() || page >= MAX_PAGES) {
                    done.complete(null);
                    return;
                }
                Map<StreamKey, Long> next = new HashMap<>(after);
                for (ChannelMessage m : a.messages()) {
                    next.merge(m.stream(), m.sequence(), Math::max);
                }
                ask(l, node, wanted, since, next, merge, page + 1).whenComplete((v, e) -> done.complete(null));
            });
        } catch (RuntimeException e) {
            done.complete(null);
        }
        return done;
    }

    /** The messages gathered so far, each once per stream and sequence. */
    private static final class Merge {
        private final Map<StreamKey, TreeMap<Long, ChannelMessage>> streams = new HashMap<>();
        private final Map<StreamKey, Long> lastSeen = new HashMap<>();

        synchronized void add(List<ChannelMessage> messages, Map<StreamKey, Long> seen) {
            for (ChannelMessage m : messages) {
                streams.computeIfAbsent(m.stream(), s -> new TreeMap<>()).putIfAbsent(m.sequence(), m);
            }
            seen.forEach((s, seq) -> lastSeen.merge(s, seq, Math::max));
        }

        synchronized List<Object> items() {
            List<Object> out = new ArrayList<>();
            // Streams interleaved by the publish time of their next message; each stream in sequence.
            List<StreamCursor> cursors = new ArrayList<>();
            for (TreeMap<Long, ChannelMessage> s : streams.values()) {
                cursors.add(new StreamCursor(new ArrayList<>(s.values())));
            }
            PriorityQueue<StreamCursor> byTime = new PriorityQueue<>(Math.max(1, cursors.size()),
                    Comparator.comparingLong(StreamCursor::headTime));
            byTime.addAll(cursors);
            while (!byTime.isEmpty()) {
                StreamCursor c = byTime.poll();
                out.add(c.next());
                if (c.hasNext()) {
                    byTime.add(c);
                }
            }
            lastSeen.forEach((s, seq) -> out.add(new LocalSubscription.StreamEnd(s, seq)));
            return out;
        }
    }

    private static final class StreamCursor {
        private final List<ChannelMessage> messages;
        private int at;

        StreamCursor(List<ChannelMessage> messages) {
            this.messages = messages;
        }

        long headTime() {
            return messages.get(at).publishedAt();
        }

        boolean hasNext() {
            return at < messages.size();
        }

        ChannelMessage next() {
            return messages.get(at++);
        }
    }
}

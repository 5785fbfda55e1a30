package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterDocuments;

/**
 * This node's {@link ClusterDocuments}: what it knows of every document, the listeners, and the
 * local copies. Changes go to ZooKeeper through {@link DocumentWriter}; what the node knows comes
 * only from its watch of {@code /earthwo/<cluster>/docs} (a Curator cache), and before that
 * answers from the copies {@link KeptDocuments} holds from its last run.
 *
 * <p>Every event of the watch, and every listener call, runs on one thread of this store, in
 * the order ZooKeeper's changes arrived: so the known content, the local copy and what each
 * listener was told always follow ZooKeeper's sequence, a listener is never called concurrently
 * with itself, and Curator's own thread never waits for a slow listener.
 *
 * <p>A document deleted while this node was away has no event to tell of it: once the watch has
 * read the documents ZooKeeper holds, those this node only knows from its copies are deleted.
 */
final class ClusterDocumentStore implements ClusterDocuments, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDocumentStore.class);
    private static final long STOP_WAIT_MS = 5_000;

    private final int nodeId;
    private final String cluster;
    private final ClusterPaths paths;
    private final KeptDocuments kept;
    private final DocumentWriter writer;
    private final long callTimeoutMs;
    /** Every document this node has seen, deletions included; changed on the store's thread only. */
    private final Map<String, DocumentState> known = new ConcurrentHashMap<>();
    /** Documents known from the local copies and not yet seen in ZooKeeper; the store's thread only. */
    private final Set<String> keptOnly = new HashSet<>();
    private final Map<String, List<Watch>> watches = new ConcurrentHashMap<>();
    /** Notified whenever the watch changed {@link #known}: an update waits on it for its own change. */
    private final Object seen = new Object();
    private final ExecutorService thread;
    private volatile Thread storeThread;
    private volatile CuratorCache cache;
    private volatile boolean closed;

    ClusterDocumentStore(int nodeId, String cluster, ClusterPaths paths, KeptDocuments kept, DocumentWriter writer,
                         long callTimeoutMs) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.paths = paths;
        this.kept = kept;
        this.writer = writer;
        this.callTimeoutMs = callTimeoutMs;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "earthwo-cluster-docs-" + nodeId);
            t.setDaemon(true);
            storeThread = t;
            return t;
        });
    }

    /**
     * Serves the copies kept by the last run until ZooKeeper answers. Called once, before the
     * session opens and before anything runs on the store's thread (which then sees them: handing
     * it a task orders everything done before it).
     */
    void loadKeptCopies() {
        Map<String, DocumentState> copies = kept.readAll();
        known.putAll(copies);
        keptOnly.addAll(copies.keySet());
        if (!copies.isEmpty()) {
            LOG.info("node {} cluster {}: {} cluster documents kept in {}, served until ZooKeeper answers: {}", nodeId,
                    cluster, copies.size(), kept.dir(), copies.keySet());
        }
    }

    /** Starts the watch of the documents in ZooKeeper; once, when the node has joined. */
    void start(CuratorFramework client) {
        CuratorCache c = CuratorCache.build(client, paths.docs());
        c.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, data) -> onStoreThread(() -> seenInZooKeeper(data)))
                .forDeletes(before -> onStoreThread(() -> deletedInZooKeeper(before)))
                .forInitialized(() -> onStoreThread(this::dropCopiesGoneFromZooKeeper))
                .build());
        cache = c;
        c.start();
    }

    @Override
    public Optional<String> read(String name) {
        return current(DocumentRules.checkName(name));
    }

    @Override
    public String update(String name, UnaryOperator<String> change) {
        DocumentRules.checkName(name);
        Objects.requireNonNull(change, "change");
        DocumentWriter.Outcome outcome = writer.update(name, change);
        awaitSeen(name, outcome);
        return outcome.content();
    }

    @Override
    public AutoCloseable watch(String name, Consumer<Optional<String>> listener) {
        DocumentRules.checkName(name);
        Watch watch = new Watch(name, Objects.requireNonNull(listener, "listener"));
        if (!onStoreThread(() -> watch.register(current(name)))) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE,
                    "node " + nodeId + " cluster " + cluster + ": the cluster documents are stopped");
        }
        return watch;
    }

    private Optional<String> current(String name) {
        DocumentState state = known.get(name);
        return state == null ? Optional.empty() : Optional.ofNullable(state.content());
    }

    /** The name of a document's znode, or null for the parent, deeper znodes and names not ours. */
    private String nameOf(String path) {
        String prefix = paths.docs() + "/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        String name = path.substring(prefix.length());
        if (!DocumentRules.isValidName(name)) {
            LOG.debug("node {} cluster {}: ignoring znode {}: not a cluster document", nodeId, cluster, path);
            return null;
        }
        return name;
    }

    private void seenInZooKeeper(ChildData data) {
        String name = nameOf(data.getPath());
        if (name != null) {
            byte[] bytes = data.getData();
            String content = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
            apply(name, new DocumentState(content, data.getStat().getMzxid()));
        }
    }

    private void deletedInZooKeeper(ChildData before) {
        String name = nameOf(before.getPath());
        if (name != null) {
            apply(name, new DocumentState(null, before.getStat().getMzxid()));
        }
    }

    /** The watch has read everything ZooKeeper holds: a copy it did not find was deleted meanwhile. */
    private void dropCopiesGoneFromZooKeeper() {
        for (String name : List.copyOf(keptOnly)) {
            CuratorCache c = cache;
            if (c != null && c.get(paths.doc(name)).isEmpty()) {
                LOG.info("node {} cluster {}: cluster document {} was deleted while this node was away; dropping its"
                        + " copy", nodeId, cluster, name);
                apply(name, new DocumentState(null, known.get(name).zxid()));
            }
        }
        keptOnly.clear();
    }

    /**
     * Takes what the watch saw: known first (read() answers from it), then the local copy, so that
     * what a listener acts on is also what a restart finds, then the listeners if the content changed.
     */
    private void apply(String name, DocumentState now) {
        DocumentState before = known.put(name, now);
        keptOnly.remove(name);
        if (now.exists()) {
            kept.write(name, now);
        } else {
            kept.delete(name);
        }
        String was = before == null ? null : before.content();
        if (!Objects.equals(was, now.content())) {
            LOG.info("node {} cluster {}: cluster document {} {}", nodeId, cluster, name,
                    now.exists() ? "changed, " + now.content().length() + " characters" : "deleted");
            List<Watch> listeners = watches.get(name);
            if (listeners != null) {
                Optional<String> content = Optional.ofNullable(now.content());
                for (Watch w : listeners) {
                    w.call(content);
                }
            }
        }
        synchronized (seen) {
            seen.notifyAll();
        }
    }

    /**
     * Returns once this node's watch shows the update's outcome, so that read() on this node
     * shows what update() returned; at most the call timeout (the change is made either way).
     * Not on the store's thread: a listener that updates would wait for itself.
     */
    private void awaitSeen(String name, DocumentWriter.Outcome outcome) {
        if (outcome.zxid() < 0 || Thread.currentThread() == storeThread) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(callTimeoutMs);
        synchronized (seen) {
            while (!shows(known.get(name), outcome) && !closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.debug("node {} cluster {}: cluster document {} changed; this node's watch did not show it"
                            + " within {} ms", nodeId, cluster, name, callTimeoutMs);
                    return;
                }
                try {
                    seen.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * True when what the node knows is the outcome or newer. A write shows once the watch saw its
     * transaction or a later one; a deletion once the watch saw the document gone, or content
     * written after the deleted one. (Should another node delete a new document before the watch
     * read it, the watch never sees it: the wait then ends at its bound.)
     */
    static boolean shows(DocumentState known, DocumentWriter.Outcome outcome) {
        if (outcome.deleted()) {
            return known == null || !known.exists() || known.zxid() > outcome.zxid();
        }
        return known != null && known.zxid() >= outcome.zxid();
    }

    /** Runs the task on the store's thread; false once the store is closed. */
    private boolean onStoreThread(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("node {} cluster {}: cluster documents", nodeId, cluster, e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed: nothing is watched or told any more
        }
    }

    /**
     * Stops the watch, drops the listeners and ends the store's thread. The local copies stay:
     * they are what the next start serves until ZooKeeper answers.
     */
    @Override
    public void close() {
        closed = true;
        CuratorCache c = cache;
        if (c != null) {
            c.close();
        }
        watches.clear();
        synchronized (seen) {
            seen.notifyAll();
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("node {} cluster {}: a cluster document listener did not return within {} ms; interrupting it",
                        nodeId, cluster, STOP_WAIT_MS);
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** One listener of one document; the handle watch() returns. */
    private final class Watch implements AutoCloseable {

        private final String name;
        private final Consumer<Optional<String>> listener;
        private volatile boolean removed;

        Watch(String name, Consumer<Optional<String>> listener) {
            this.name = name;
            this.listener = listener;
        }

        /** On the store's thread: listed first, then told the current content, so no change is missed. */
        void register(Optional<String> content) {
            watches.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(this);
            // removed meanwhile (by close(), from another thread): take it out again
            if (removed || closed) {
                unlist();
                return;
            }
            call(content);
        }

        void call(Optional<String> content) {
            if (removed || closed) {
                return;
            }
            try {
                listener.accept(content);
            } catch (RuntimeException e) {
                LOG.error("node {} cluster {}: a listener of cluster document {} failed", nodeId, cluster, name, e);
            }
        }

        private void unlist() {
            List<Watch> list = watches.get(name);
            if (list != null) {
                list.remove(this);
            }
        }

        @Override
        public void close() {
            removed = true;
            unlist();
        }
    }
}

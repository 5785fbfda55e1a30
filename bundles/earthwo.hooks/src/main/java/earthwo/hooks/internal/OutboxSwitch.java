package earthwo.hooks.internal;

import earthwo.api.cluster.ClusterDocuments;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Switches the node's outbox on when hooks need it, on every node of the cluster: the outbox costs
 * each write a second entry in its transaction, so a cluster without hooks does not keep one.
 *
 * <p>A hook registered on a node switches that node's outbox on at once, before the hook is
 * accepted, and marks the cluster document {@value #DOCUMENT} in ZooKeeper; every node watches the
 * document and switches its own on when it sees the mark, also a node that was down and comes back
 * later. The store keeps the outbox on through restarts, so a node switched on stays on while
 * ZooKeeper is away. Events exist from the moment a node's outbox is on: changes a node applied
 * before have none, and a replica switched on a moment after the coordinator may lack the events
 * of that moment (written to the outbox of the nodes already on).
 *
 * <p>The mark is written by a thread of its own ({@value #THREAD_NAME}, which ends when idle),
 * again every {@value #RETRY_SECONDS} s while ZooKeeper cannot be reached, so registering a hook
 * never waits for ZooKeeper.
 */
final class OutboxSwitch implements AutoCloseable {

    /** The cluster document holding the mark. */
    static final String DOCUMENT = "hooks";
    static final String MARKED = "{\"outbox\": true}";
    static final String THREAD_NAME = "earthwo-hooks-outbox-switch";
    static final long RETRY_SECONDS = 5;
    private static final Pattern MARK = Pattern.compile("\"outbox\"\\s*:\\s*true");

    private static final Logger LOG = LoggerFactory.getLogger(OutboxSwitch.class);

    private final SegmentStore store;
    private final ClusterDocuments documents;
    private final int nodeId;
    private final Runnable switchedOn;
    private final ScheduledThreadPoolExecutor marker;
    private volatile boolean marked;
    private volatile boolean closed;
    /** Guarded by this. */
    private AutoCloseable watch;

    /** {@code switchedOn}: called once the store keeps an outbox (also when it already did). */
    OutboxSwitch(SegmentStore store, ClusterDocuments documents, int nodeId, Runnable switchedOn) {
        this.store = store;
        this.documents = documents;
        this.nodeId = nodeId;
        this.switchedOn = switchedOn;
        this.marker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        // Only needed while the mark is written: the thread ends when idle.
        marker.setKeepAliveTime(1, TimeUnit.SECONDS);
        marker.allowCoreThreadTimeOut(true);
    }

    /** Starts watching the cluster's mark; calls back at once if the store keeps an outbox already. */
    void start() {
        if (store.keepsOutbox()) {
            switchedOn.run();
        }
        // Not under this lock: the watch may call the listener, which takes it, from another thread.
        AutoCloseable w = documents.watch(DOCUMENT, this::documentChanged);
        synchronized (this) {
            if (!closed) {
                watch = w;
                return;
            }
        }
        closeWatch(w);
    }

    /** A hook registered on this node: switches the outbox on here and marks the cluster. */
    void hookRegistered(String name) {
        switchOn("hook '" + name + "' registered on this node");
        if (!marked) {
            marker.execute(this::mark);
        }
    }

    /** Whether the store keeps an outbox. */
    boolean isOn() {
        return store.keepsOutbox();
    }

    private void documentChanged(Optional<String> content) {
        if (content.isPresent() && MARK.matcher(content.get()).find()) {
            marked = true;
            switchOn("the cluster's hooks document marks it on");
        }
    }

    private synchronized void switchOn(String why) {
        if (closed || store.keepsOutbox()) {
            return;
        }
        try {
            store.keepOutbox();
        } catch (RuntimeException e) {
            LOG.error("node {}: could not switch the outbox on ({}): hooks get no events until it is: {}", nodeId, why,
                    e.toString());
            return;
        }
        LOG.info("node {}: outbox switched on ({}); every change applied from now on records its event", nodeId, why);
        switchedOn.run();
    }

    private void mark() {
        if (closed || marked) {
            return;
        }
        try {
            documents.update(DOCUMENT, c -> c != null && MARK.matcher(c).find() ? c : MARKED);
            marked = true;
            LOG.info("node {}: marked the cluster's hooks document: every node switches its outbox on", nodeId);
        } catch (RuntimeException e) {
            LOG.warn("node {}: could not mark the cluster's hooks document ({}); trying again in {} s", nodeId, e.getMessage(),
                    RETRY_SECONDS);
            if (!closed) {
                marker.schedule(this::mark, RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops watching and marking; waits a moment for a mark being written. */
    @Override
    public void close() {
        AutoCloseable w;
        synchronized (this) {
            closed = true;
            w = watch;
            watch = null;
        }
        closeWatch(w);
        marker.shutdownNow();
        try {
            if (!marker.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("node {}: {} did not end within 5 s", nodeId, THREAD_NAME);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeWatch(AutoCloseable w) {
        if (w == null) {
            return;
        }
        try {
            w.close();
        } catch (Exception e) {
            LOG.warn("node {}: could not stop watching the cluster's hooks document", nodeId, e);
        }
    }
}

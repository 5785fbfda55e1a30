package earthwo.cluster.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a node's start that needs ZooKeeper (cluster config, registration, map watch,
 * controller election, clock), run on a thread of its own. A node that cannot reach ZooKeeper
 * thus still starts, and the join completes as soon as ZooKeeper is reachable; closing the node
 * interrupts the thread wherever it waits, so a node waiting for ZooKeeper stops at once.
 *
 * <p>The join has two steps. {@code prepare}, reads and writes that are safe to repeat, is retried
 * after ZooKeeper errors such as a lost connection, each time once the client is connected again;
 * {@code watch}, which starts the caches, the registration and the election (Curator keeps those
 * going by itself), runs once after it. Anything else ends the join as a failure: a cluster config
 * this node does not fit, or ZooKeeper refusing the node's identity.
 */
final class ZooKeeperJoin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperJoin.class);
    private static final long RETRY_DELAY_MS = 1_000;
    private static final long STOP_WAIT_MS = 5_000;

    /** One step of the join. */
    interface Step {
        void run() throws Exception;
    }

    private final int nodeId;
    private final String cluster;
    private final ZooKeeperSession session;
    private final Step prepare;
    private final Step watch;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean joined;
    private volatile Throwable failure;

    ZooKeeperJoin(int nodeId, String cluster, ZooKeeperSession session, Step prepare, Step watch) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.session = session;
        this.prepare = prepare;
        this.watch = watch;
        this.thread = new Thread(this::run, "earthwo-zk-join-" + nodeId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Waits up to the timeout for the join to end. True when the node joined, false while it is
     * still under way; a failure that ended it is thrown (its cause, when it has one of its own).
     */
    boolean await(long timeout, TimeUnit unit) throws Exception {
        if (!done.await(timeout, unit)) {
            return false;
        }
        Throwable f = failure;
        if (f instanceof Exception e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new ExecutionException(f);
        }
        return joined;
    }

    /** True once the node joined: config read, registered, watching the map, in the election. */
    boolean joined() {
        return joined;
    }

    /** What ended the join unsuccessfully, or null. */
    Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            prepareOnceConnected();
            if (!closed) {
                watch.run();
                joined = true;
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Exception | Error e) {
            if (!closed) {
                failure = e;
                LOG.error("node {} cluster {}: cannot join the cluster in ZooKeeper at {}: {}", nodeId, cluster,
                        session.connectString(), e.toString());
            }
        } finally {
            done.countDown();
        }
    }

    private void prepareOnceConnected() throws Exception {
        boolean waitLogged = false;
        while (!closed) {
            if (!session.awaitConnected(RETRY_DELAY_MS, TimeUnit.MILLISECONDS)) {
                if (!waitLogged) {
                    LOG.info("node {} cluster {}: waiting for ZooKeeper at {} to join the cluster", nodeId, cluster,
                            session.connectString());
                    waitLogged = true;
                }
                continue;
            }
            try {
                prepare.run();
                return;
            } catch (KeeperException e) {
                if (closed || e instanceof KeeperException.NoAuthException) {
                    throw e;
                }
                LOG.warn("node {} cluster {}: joining the cluster in ZooKeeper failed, trying again: {}", nodeId, cluster,
                        e.toString());
                Thread.sleep(RETRY_DELAY_MS);
            }
        }
    }

    /**
     * Stops the join: interrupts the thread wherever it waits and waits for it to end. If it does
     * not, {@code unblock} (closing the client) makes its ZooKeeper calls fail, and it is waited
     * for once more.
     */
    void close(Runnable unblock) {
        closed = true;
        thread.interrupt();
        try {
            thread.join(STOP_WAIT_MS);
            if (thread.isAlive()) {
                LOG.warn("node {} cluster {}: the ZooKeeper join did not stop within {} ms; closing the client",
                        nodeId, cluster, STOP_WAIT_MS);
                unblock.run();
                thread.join(STOP_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(() -> { });
    }
}

package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

/**
 * Changes cluster documents in ZooKeeper: read the znode, apply the caller's change, write it
 * back only if the znode's version is still the one read (created only if still absent), and on a
 * conflict start over with the newer content. Nothing is ever lost to a concurrent writer on
 * another node.
 *
 * <p>Every ZooKeeper call is bounded by the connection timeout: Curator on its own would retry
 * for minutes while ZooKeeper is away, and a caller (a Gogo command, a component's activation)
 * must get UNAVAILABLE instead. The calls run in Curator's background mode so that the caller
 * can stop waiting; a change is sent only while the client is connected, so one given up as
 * UNAVAILABLE before it was sent is never made later.
 */
final class DocumentWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentWriter.class);

    /**
     * What an update left in ZooKeeper: the content ({@code null}: none), whether it deleted the
     * document, and the transaction id that shows it in the node's watch: of the content written
     * or found, of the last content before a deletion; -1 when there is nothing to wait for.
     */
    record Outcome(String content, long zxid, boolean deleted) {
    }

    /** One Curator call in background mode, told where to deliver its answer. */
    private interface Call {
        void start(BackgroundCallback answer) throws Exception;
    }

    /** The znode as read: content null and version -1 when absent. */
    private record Current(String content, int version, long zxid) {
    }

    private final ZooKeeperSession session;
    private final ClusterPaths paths;
    private final int nodeId;
    private final String cluster;
    private final long callTimeoutMs;

    DocumentWriter(ZooKeeperSession session, ClusterPaths paths, int nodeId, String cluster, long callTimeoutMs) {
        this.session = session;
        this.paths = paths;
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.callTimeoutMs = callTimeoutMs;
    }

    /** See {@link earthwo.api.cluster.ClusterDocuments#update}; the name is already checked. */
    Outcome update(String name, UnaryOperator<String> change) {
        String path = paths.doc(name);
        while (true) {
            Current current = read(name, path);
            String next = change.apply(current.content());
            if (Objects.equals(next, current.content())) {
                return new Outcome(next, next == null ? -1 : current.zxid(), false);
            }
            byte[] data = next == null ? null : DocumentRules.encodeContent(name, next);
            Outcome written = data == null ? delete(name, path, current)
                    : current.content() == null ? create(name, path, next, data)
                    : set(name, path, current, next, data);
            if (written != null) {
                LOG.debug("node {} cluster {}: cluster document {} {}", nodeId, cluster, name,
                        data == null ? "deleted" : "written, " + data.length + " bytes");
                return written;
            }
            LOG.debug("node {} cluster {}: cluster document {} changed concurrently, applying the change again", nodeId,
                    cluster, name);
        }
    }

    private Current read(String name, String path) {
        awaitConnected(name);
        CuratorEvent answer = call(name, "reading", cb -> client().getData().inBackground(cb).forPath(path));
        Code code = Code.get(answer.getResultCode());
        if (code == Code.NONODE) {
            return new Current(null, -1, -1);
        }
        if (code != Code.OK) {
            throw failed(name, "reading", code);
        }
        byte[] data = answer.getData();
        Stat stat = answer.getStat();
        return new Current(data == null ? "" : new String(data, StandardCharsets.UTF_8), stat.getVersion(),
                stat.getMzxid());
    }

    /** The new document, or null when another node created it first. */
    private Outcome create(String name, String path, String content, byte[] data) {
        CuratorEvent answer = write(name, "creating",
                cb -> client().create().creatingParentsIfNeeded().inBackground(cb).forPath(path, data));
        Code code = Code.get(answer.getResultCode());
        if (code == Code.NODEEXISTS) {
            return null;
        }
        if (code != Code.OK) {
            throw failed(name, "creating", code);
        }
        // Curator creates in background mode with create2, which answers with the new znode's stat
        Stat stat = answer.getStat();
        return new Outcome(content, stat == null ? -1 : stat.getMzxid(), false);
    }

    /** The new content, or null when another node changed or deleted the document since it was read. */
    private Outcome set(String name, String path, Current current, String content, byte[] data) {
        CuratorEvent answer = write(name, "writing",
                cb -> client().setData().withVersion(current.version()).inBackground(cb).forPath(path, data));
        Code code = Code.get(answer.getResultCode());
        if (code == Code.BADVERSION || code == Code.NONODE) {
            return null;
        }
        if (code != Code.OK) {
            throw failed(name, "writing", code);
        }
        return new Outcome(content, answer.getStat().getMzxid(), false);
    }

    /** The deletion, or null when another node changed or deleted the document since it was read. */
    private Outcome delete(String name, String path, Current current) {
        CuratorEvent answer = write(name, "deleting",
                cb -> client().delete().withVersion(current.version()).inBackground(cb).forPath(path));
        Code code = Code.get(answer.getResultCode());
        if (code == Code.BADVERSION || code == Code.NONODE) {
            return null;
        }
        if (code != Code.OK) {
            throw failed(name, "deleting", code);
        }
        return new Outcome(null, current.zxid(), true);
    }

    /** A change is only sent while connected (see the class comment). */
    private CuratorEvent write(String name, String what, Call call) {
        if (!client().getZookeeperClient().isConnected()) {
            throw unavailable(name, what, "not connected to ZooKeeper at " + session.connectString(), null);
        }
        return call(name, what, call);
    }

    private CuratorEvent call(String name, String what, Call call) {
        CompletableFuture<CuratorEvent> answer = new CompletableFuture<>();
        try {
            call.start((client, event) -> answer.complete(event));
            return answer.get(callTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unavailable(name, what, "no answer from ZooKeeper at " + session.connectString() + " within "
                    + callTimeoutMs + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(name, what, "interrupted", e);
        } catch (ExecutionException e) {
            throw unavailable(name, what, e.getCause().toString(), e.getCause());
        } catch (Exception e) {
            // the client refuses calls once it is closed: the node is stopping
            throw unavailable(name, what, e.toString(), e);
        }
    }

    private void awaitConnected(String name) {
        try {
            if (!session.awaitConnected(callTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw unavailable(name, "reading", "not connected to ZooKeeper at " + session.connectString()
                        + " within " + callTimeoutMs + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(name, "reading", "interrupted", e);
        } catch (IllegalStateException e) {
            throw unavailable(name, "reading", e.toString(), e);
        }
    }

    private CuratorFramework client() {
        return session.client();
    }

    private EarthwoException failed(String name, String what, Code code) {
        return unavailable(name, what, "ZooKeeper at " + session.connectString() + " answered " + code, null);
    }

    private EarthwoException unavailable(String name, String what, String why, Throwable cause) {
        return new EarthwoException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cluster " + cluster + ": " + what
                + " cluster document " + name + ": " + why, cause);
    }
}

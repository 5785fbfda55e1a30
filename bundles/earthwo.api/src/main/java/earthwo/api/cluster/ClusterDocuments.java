package earthwo.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Small named documents (JSON by convention) shared by the whole cluster, registered by the
 * cluster bundle beside {@link ClusterView}. Meant for cluster-wide settings that other bundles
 * own, such as secondary index definitions or a feature flag: a few documents, each changed now
 * and then, never data of the data plane.
 *
 * <p>ZooKeeper holds the documents, so they survive a restart of the whole cluster. Every node
 * keeps a copy of each document it has seen in its data directory, so a node that cannot reach
 * ZooKeeper, even one restarted meanwhile, still reads the last content it saw; changes need
 * ZooKeeper.
 *
 * <p>Names are 1 to 64 characters of {@code [a-z0-9._-]}, other than {@code .} and {@code ..};
 * content is at most 256 KiB in UTF-8. Every method refuses an invalid name with
 * {@link earthwo.api.EarthwoException} {@link earthwo.api.ErrorCode#BAD_REQUEST}.
 *
 * <p>A change reaches {@link #read} and the listeners of every node, the changing node included,
 * through that node's watch of ZooKeeper; on the changing node {@link #update} returns once its
 * watch has seen the change (or after the bounded wait described there).
 */
@ProviderType
public interface ClusterDocuments {

    /**
     * Last known content of the named document: from ZooKeeper, or the node's local copy while
     * ZooKeeper has not been reachable; empty if it has none.
     *
     * @param name the document's name
     * @return the content, or empty when the document does not exist as far as this node knows
     */
    Optional<String> read(String name);

    /**
     * Changes the document in ZooKeeper with compare-and-set, calling {@code change} again on a
     * conflict with the newer content. {@code change} receives the current content ({@code null}
     * if none) and returns the new one ({@code null} deletes the document); it may be called
     * several times, so it must not have side effects, and an exception it throws ends the update
     * unchanged and reaches the caller. When it returns the current content, nothing is written.
     *
     * @param name the document's name
     * @param change from the current content to the new one
     * @return the content written ({@code null} if deleted)
     * @throws earthwo.api.EarthwoException {@link earthwo.api.ErrorCode#UNAVAILABLE} when
     *         ZooKeeper cannot be reached within the node's ZooKeeper connection timeout (each
     *         call to ZooKeeper has that long; a change is never sent while the node is
     *         disconnected, but one sent just before the connection broke may still have been
     *         made), {@link earthwo.api.ErrorCode#BAD_REQUEST} for an invalid name or content
     *         larger than 256 KiB in UTF-8 (nothing is written)
     */
    String update(String name, UnaryOperator<String> change);

    /**
     * Calls the listener at once with the current content (as {@link #read} returns it) and then
     * after every change seen, on a thread of the cluster bundle, never concurrently for one
     * listener; an empty value means the document was deleted. Every listener of the node is
     * called on the same thread, so a listener should return quickly. A call under way when the
     * handle is closed may still finish; none starts after.
     *
     * @param name the document's name
     * @param listener receives the content after every change
     * @return the handle that removes the listener; listeners must be removed by their owner on
     *         deactivation
     */
    AutoCloseable watch(String name, Consumer<Optional<String>> listener);
}

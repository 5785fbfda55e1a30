package earthwo.api.indexes;

import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The secondary indexes of the cluster (registered by the indexes bundle): definitions, kept in
 * ZooKeeper for every node, and queries, answered by asking one replica of every segment.
 *
 * <p>Errors are {@link earthwo.api.EarthwoException}s: BAD_REQUEST for an unknown index, a bad
 * name, spec, type or query; UNAVAILABLE when ZooKeeper cannot be reached to change a definition;
 * PARTIAL_RESULT, naming the segments, when no replica of some segments could answer a query.
 */
@ProviderType
public interface Indexes {

    /** The most indexes a cluster may have. */
    int MAX_INDEXES = 32;

    /**
     * Defines an index for the whole cluster; every node fills it with the records it holds
     * (state {@link IndexState#BUILDING}) while reads and writes go on.
     *
     * @param name {@code [A-Za-z0-9_.-]{1,64}}, not in use
     * @param extractor {@code SCHEME:EXPRESSION}, such as {@code json:$.email} or {@code key:^([^:]+):}
     */
    IndexInfo create(String name, String extractor, IndexType type);

    /** Drops an index: queries no longer find it, and every node removes its entries in the background. */
    void drop(String name);

    /** The indexes defined, as this node sees them, by name. */
    List<IndexInfo> list();

    /** Runs a query; the node that takes it asks one replica of every segment and merges. */
    CompletionStage<IndexPage> query(IndexQuery query);
}

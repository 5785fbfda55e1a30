package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterDocuments;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.indexes.IndexExtractor;
import earthwo.api.indexes.IndexInfo;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexState;
import earthwo.api.indexes.IndexType;
import earthwo.api.storage.SegmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The secondary indexes as a Declarative Services component (DESIGN §7): the definitions in the
 * cluster document {@value IndexDefinitions#DOCUMENT}, the {@link IndexCatalog} the store calls in
 * every write, the {@link IndexBuilder} thread, queries ({@link QueryCoordinator}, and this
 * node's part of other nodes' queries: peer message {@value QueryMessages#TYPE}), the "indexes"
 * {@link StatusSource}, and the {@link IndexExtractor} whiteboard.
 *
 * <p>The store, the cluster view and the cluster documents are static references: a new store
 * (an update of its bundle) restarts this component on it. While this component is away the
 * store keeps every change (the indexes are defined, it was told so), and the new one catches
 * them up before anything else.
 *
 * <p>Settings: {@link IndexesSettings} (PID {@value IndexesSettings#PID}).
 */
@Component(service = {earthwo.api.indexes.Indexes.class, IndexAdmin.class, StatusSource.class, PeerHandler.class},
        configurationPid = IndexesSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = {"earthwo.status.name=" + IndexesComponent.STATUS_NAME,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + QueryMessages.TYPE})
public final class IndexesComponent implements IndexAdmin, StatusSource, PeerHandler {

    static final String STATUS_NAME = "indexes";
    static final String QUERY_THREAD_PREFIX = "earthwo-indexes-query-";
    /** Queries waiting for a query thread at most; more are refused with BUSY. */
    private static final int QUERY_QUEUE = 256;

    private static final Logger LOG = LoggerFactory.getLogger(IndexesComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerLinks links;

    private final int nodeId;
    private final SegmentStore store;
    private final ClusterDocuments documents;
    private final LongSupplier clock;
    private final ExtractorRegistry extractors = new ExtractorRegistry();
    private final IndexCatalog catalog;
    private final IndexBuilder builder;
    private final SegmentReader reader;
    private final QueryCoordinator coordinator;
    private final ThreadPoolExecutor queries;
    private volatile IndexDefinitions definitions = IndexDefinitions.NONE;
    private final AutoCloseable watch;

    @Activate
    public IndexesComponent(@Reference SegmentStore store, @Reference ClusterView cluster,
                            @Reference ClusterDocuments documents, BundleContext context, Map<String, Object> config) {
        this(store, cluster, documents, IndexesSettings.resolve(config, context::getProperty), System::currentTimeMillis);
    }

    IndexesComponent(SegmentStore store, ClusterView cluster, ClusterDocuments documents, IndexesSettings settings,
                     LongSupplier clock) {
        this.nodeId = cluster.localNodeId();
        this.store = store;
        this.documents = documents;
        this.clock = clock;
        this.catalog = new IndexCatalog(nodeId, extractors, new LocalIndexStates(settings.dataDir), settings.schemeGraceMs);
        this.builder = new IndexBuilder(nodeId, store, catalog, () -> definitions, settings.backfillBatch);
        this.reader = new SegmentReader(store, cluster, catalog);
        this.coordinator = new QueryCoordinator(cluster, catalog, reader, () -> links, clock,
                Duration.ofMillis(settings.queryTimeoutMs));
        AtomicInteger n = new AtomicInteger();
        this.queries = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUERY_QUEUE), r -> {
            Thread t = new Thread(r, QUERY_THREAD_PREFIX + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // The definitions this node knows now, before the builder's first step: it tells the store
        // whether indexes are defined, and writes must not go unindexed and unkept meanwhile. (The
        // watch may call back later, on the documents' thread.)
        definitionsChanged(documents.read(IndexDefinitions.DOCUMENT));
        this.watch = documents.watch(IndexDefinitions.DOCUMENT, this::definitionsChanged);
        builder.start();
        LOG.info("node {} indexes started: {} defined ({})", nodeId, definitions.all().size(), settings);
    }

    /** Stops the builder and the queries; the store keeps the changes from now on for the next start. */
    @Deactivate
    void deactivate() {
        try {
            watch.close();
        } catch (Exception e) {
            LOG.warn("node {}: could not stop watching the index definitions", nodeId, e);
        }
        builder.stop();
        builder.detach();
        queries.shutdownNow();
        try {
            if (!queries.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("node {}: index queries still running 5 s after the stop", nodeId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("node {} indexes stopped", nodeId);
    }

    /**
     * Takes new definitions; logs what changed here, on the documents' thread (not on the thread
     * of a command, whose output would take the lines).
     */
    private void definitionsChanged(Optional<String> content) {
        IndexDefinitions before = definitions;
        try {
            definitions = IndexDefinitions.parse(content);
        } catch (IllegalStateException e) {
            LOG.error("node {}: {}; the indexes keep their last definitions", nodeId, e.getMessage());
            return;
        }
        for (IndexDefinition d : definitions.all()) {
            if (before.byName(d.name()).filter(b -> b.id() == d.id()).isEmpty()) {
                LOG.info("node {}: index '{}' defined (id {}, {}, {})", nodeId, d.name(), d.id(), d.extractor(),
                        d.type().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        builder.changed();
    }

    // ---- the extractor whiteboard ----

    @Reference(service = IndexExtractor.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeExtractor")
    void addExtractor(ServiceReference<IndexExtractor> ref, IndexExtractor extractor) {
        String scheme = String.valueOf(ref.getProperty(IndexExtractor.SCHEME));
        String refused = extractors.add(scheme, serviceId(ref), extractor);
        if (refused != null) {
            LOG.error("node {}: extractor service {} of bundle {} is refused: {}", nodeId, serviceId(ref),
                    ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName(), refused);
            return;
        }
        LOG.info("node {}: extractor scheme '{}' from bundle {}", nodeId, scheme,
                ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName());
        builder.changed();
    }

    void removeExtractor(ServiceReference<IndexExtractor> ref, IndexExtractor extractor) {
        String scheme = String.valueOf(ref.getProperty(IndexExtractor.SCHEME));
        if (extractors.remove(scheme, serviceId(ref))) {
            LOG.info("node {}: extractor scheme '{}' gone", nodeId, scheme);
            builder.changed();
        }
    }

    private static long serviceId(ServiceReference<?> ref) {
        Object id = ref.getProperty(Constants.SERVICE_ID);
        return id instanceof Number num ? num.longValue() : -1;
    }

    /** For tests: an extractor as the whiteboard would give it. */
    void addExtractor(String scheme, long serviceId, IndexExtractor extractor) {
        if (extractors.add(scheme, serviceId, extractor) == null) {
            builder.changed();
        }
    }

    /** For tests. */
    void removeExtractor(String scheme, long serviceId) {
        if (extractors.remove(scheme, serviceId)) {
            builder.changed();
        }
    }

    /** For tests: node-to-node links as DS would bind them. */
    void setLinks(PeerLinks l) {
        this.links = l;
    }

    // ---- Indexes ----

    @Override
    public IndexInfo create(String name, String extractor, IndexType type) {
        if (name == null || !IndexDefinition.NAME.matcher(name).matches()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "an index name is 1..64 of A-Z a-z 0-9 _ . -, not '" + name + "'");
        }
        if (type == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "an index needs a type: string, long or double");
        }
        ExtractorSpec spec = ExtractorSpec.parse(extractor);
        IndexExtractor ex = extractors.get(spec.scheme());
        if (ex == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "unknown extractor scheme '" + spec.scheme()
                    + "' (schemes on this node: " + extractors.known() + ")");
        }
        try {
            ex.compile(spec.expression());
        } catch (IllegalArgumentException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "bad " + spec.scheme() + " expression '" + spec.expression()
                    + "': " + e.getMessage());
        }
        long now = clock.getAsLong();
        String written = documents.update(IndexDefinitions.DOCUMENT,
                c -> IndexDefinitions.parse(Optional.ofNullable(c)).with(name, extractor, type, now).toJson());
        IndexDefinition d = IndexDefinitions.parse(Optional.of(written)).require(name);
        return new IndexInfo(d.name(), d.extractor(), d.type(), d.id(), IndexState.BUILDING, "", 0, 0, 0, 0, 0);
    }

    @Override
    public void drop(String name) {
        documents.update(IndexDefinitions.DOCUMENT, c -> IndexDefinitions.parse(Optional.ofNullable(c)).without(name).toJson());
    }

    @Override
    public List<IndexInfo> list() {
        List<IndexInfo> out = new ArrayList<>();
        for (IndexDefinition d : definitions.all()) {
            LiveIndex li = catalog.byName(d.name());
            long entries = 0;
            for (int s = 0; s < store.segmentCount(); s++) {
                entries += store.indexEntryCount(s, d.id());
            }
            if (li == null || li.definition.id() != d.id()) {
                out.add(new IndexInfo(d.name(), d.extractor(), d.type(), d.id(), IndexState.BUILDING,
                        "not taken up on this node yet", entries, 0, 0, 0, 0));
            } else {
                out.add(new IndexInfo(d.name(), d.extractor(), d.type(), d.id(), li.state(), li.reason, entries,
                        li.progress, li.extractFailures.sum(), li.typeMismatches.sum(), li.refusedValues.sum()));
            }
        }
        return out;
    }

    @Override
    public CompletionStage<IndexPage> query(IndexQuery query) {
        try {
            return CompletableFuture.supplyAsync(() -> coordinator.query(query), queries);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.BUSY, "node " + nodeId + " has "
                    + QUERY_QUEUE + " index queries waiting; try again later"));
        }
    }

    @Override
    public IndexVerifier.Report verify(String name) {
        IndexDefinition d = definitions.require(name);
        LiveIndex li = catalog.byName(name);
        if (li == null || li.definition.id() != d.id() || li.extraction == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "index '" + name + "' is not maintained on node " + nodeId
                    + (li == null ? "" : ": " + li.state().shown() + (li.reason.isEmpty() ? "" : ", " + li.reason)));
        }
        return IndexVerifier.verify(store, li, catalog.only(li));
    }

    // ---- PeerHandler ----

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        try {
            QueryMessages.Ask ask = QueryMessages.decodeAsk(payload, store.segmentCount());
            return CompletableFuture.completedFuture(QueryMessages.encode(reader.read(ask)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- StatusSource ----

    @Override
    public String name() {
        return STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<IndexInfo> all = list();
        m.put("defined", all.size());
        m.put("ready", all.stream().filter(i -> i.state() == IndexState.READY).count());
        m.put("building", all.stream().filter(i -> i.state() == IndexState.BUILDING).count());
        m.put("unavailable", all.stream().filter(i -> i.state() == IndexState.UNAVAILABLE).count());
        m.put("unindexed.changes", store.unindexedChanges());
        m.put("backfilled", builder.backfilled());
        m.put("schemes", String.join(",", extractors.schemes().keySet()));
        for (IndexInfo i : all) {
            String p = i.name() + ".";
            m.put(p + "state", i.state().shown());
            m.put(p + "entries", i.entries());
            m.put(p + "progress", Math.round(i.progress() * 100));
            m.put(p + "extract.failures", i.extractFailures());
            m.put(p + "type.mismatches", i.typeMismatches());
            m.put(p + "refused.values", i.refusedValues());
        }
        return m;
    }
}

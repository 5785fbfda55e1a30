package earthwo.indexes.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Keys;
import earthwo.api.indexes.IndexExtractor;
import earthwo.api.storage.IndexEntries;
import earthwo.indexes.internal.LiveIndex.Phase;
import earthwo.indexes.internal.LocalIndexStates.Local;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The indexes of this node: the cluster's definitions joined with the extractors this node has and
 * what it knows of its entries ({@link LocalIndexStates}), and the {@link IndexEntries} the store
 * calls inside every write.
 *
 * <p>{@link #refresh} is called by one thread (the builder's) whenever something changed; it
 * decides each index's phase:
 * <ul>
 *   <li>a new index is BUILDING (maintained at once, backfilled by the builder);</li>
 *   <li>an index whose scheme is missing WAITS for it up to the grace; while any index waits,
 *       the store keeps every change as unindexed ({@link #wantsStore} false), so an extractor
 *       bundle that is updated, or that starts after this one, costs no rebuild: its changes are
 *       caught up when it is back;</li>
 *   <li>after the grace it is UNAVAILABLE (noted DIRTY): writes go on without it, and when the
 *       scheme comes back its entries are removed (CLEARING) and it is built anew.</li>
 * </ul>
 */
final class IndexCatalog implements IndexEntries {

    private static final Logger LOG = LoggerFactory.getLogger(IndexCatalog.class);

    private final int nodeId;
    private final ExtractorRegistry extractors;
    private final LocalIndexStates local;
    private final long graceMs;
    private final RateLimitedLog failureLog = new RateLimitedLog();
    /** By id; changed by the refreshing thread only. */
    private final Map<Integer, LiveIndex> byId = new LinkedHashMap<>();
    private volatile Map<String, LiveIndex> byName = Map.of();
    /** The indexes writes keep, read by every write. */
    private volatile LiveIndex[] maintained = new LiveIndex[0];
    /**
     * Whether an index waits for its scheme: then {@link #entriesOf} refuses, so the store keeps
     * each change for the catch-up. Set before the index leaves {@link #maintained}, so that no
     * write in between goes unindexed and unkept (the store is told to keep changes only after).
     */
    private volatile boolean waiting;
    private volatile IndexDefinitions definitions = IndexDefinitions.NONE;

    IndexCatalog(int nodeId, ExtractorRegistry extractors, LocalIndexStates local, long graceMs) {
        this.nodeId = nodeId;
        this.extractors = extractors;
        this.local = local;
        this.graceMs = graceMs;
    }

    /**
     * Brings every index's phase up to date with the definitions and the extractors there are
     * now ({@code nowNanos}: {@link System#nanoTime()}, for the grace).
     */
    synchronized void refresh(IndexDefinitions defs, long nowNanos) {
        definitions = defs;
        Set<Integer> defined = new TreeSet<>();
        for (IndexDefinition d : defs.all()) {
            defined.add(d.id());
            LiveIndex li = byId.computeIfAbsent(d.id(), id -> arrive(d));
            IndexExtractor.Extraction ex = compile(li);
            if (ex == null) {
                schemeMissing(li, nowNanos);
            } else if (li.extraction == null) {
                schemeCame(li);
            }
            li.extraction = ex;
            if (li.phase == Phase.WAITING && nowNanos - li.missingSince >= graceMs * 1_000_000) {
                li.phase = Phase.UNAVAILABLE;
                local.set(li.definition.id(), Local.DIRTY);
                LOG.warn("node {} index '{}': still no extractor for '{}' after {} ms: the index is unavailable on this"
                        + " node, writes go on without it; it is built anew when the scheme comes", nodeId,
                        d.name(), d.extractor(), graceMs);
            }
            li.reason = reasonOf(li);
        }
        for (Integer id : new ArrayList<>(byId.keySet())) {
            if (!defined.contains(id)) {
                LiveIndex gone = byId.remove(id);
                LOG.info("node {} index '{}' (id {}) dropped: its entries are removed in the background", nodeId,
                        gone.definition.name(), id);
            }
        }
        publish();
    }

    /** Makes the indexes by name, and those writes keep, what {@link #byId} says now. */
    private synchronized void publish() {
        Map<String, LiveIndex> names = new LinkedHashMap<>();
        List<LiveIndex> kept = new ArrayList<>();
        for (LiveIndex li : byId.values()) {
            names.put(li.definition.name(), li);
            if (li.isMaintained()) {
                kept.add(li);
            }
        }
        byName = Map.copyOf(names);
        boolean anyWaiting = byId.values().stream().anyMatch(li -> li.phase == Phase.WAITING);
        if (anyWaiting) {
            waiting = true;
        }
        maintained = kept.toArray(LiveIndex[]::new);
        waiting = anyWaiting;
    }

    /** A newly seen definition: its phase from what this node knows of its entries. */
    private LiveIndex arrive(IndexDefinition d) {
        LiveIndex li = new LiveIndex(d);
        Local known = local.wasUnreadable() ? Local.DIRTY : local.get(d.id());
        if (known == null) {
            local.set(d.id(), Local.BUILDING);
            known = Local.BUILDING;
        }
        li.phase = switch (known) {
            case READY -> Phase.READY;
            case BUILDING -> Phase.BUILDING;
            case DIRTY -> Phase.UNAVAILABLE;
        };
        li.progress = known == Local.READY ? 1 : 0;
        return li;
    }

    /** The scheme of an index is not here (gone, or not come yet). */
    private void schemeMissing(LiveIndex li, long nowNanos) {
        switch (li.phase) {
            case READY, BUILDING -> {
                waiting = true;
                li.phase = Phase.WAITING;
                li.missingSince = nowNanos;
            }
            case CLEARING -> li.phase = Phase.UNAVAILABLE; // noted dirty already
            default -> { }
        }
    }

    /** The scheme of an index is (back) here. */
    private void schemeCame(LiveIndex li) {
        if (li.phase == Phase.UNAVAILABLE) {
            li.phase = Phase.CLEARING;
            LOG.info("node {} index '{}': extractor '{}' is here; its old entries go, then it is built anew", nodeId,
                    li.definition.name(), li.definition.extractor());
        } else if (li.phase == Phase.WAITING) {
            Local known = local.get(li.definition.id());
            li.phase = known == Local.READY ? Phase.READY : Phase.BUILDING;
        }
    }

    private IndexExtractor.Extraction compile(LiveIndex li) {
        ExtractorSpec spec = ExtractorSpec.parse(li.definition.extractor());
        IndexExtractor extractor = extractors.get(spec.scheme());
        if (extractor == null) {
            return null;
        }
        if (li.extraction != null) {
            return li.extraction;
        }
        try {
            return extractor.compile(spec.expression());
        } catch (RuntimeException e) {
            // Checked when the index was created; a plug-in may have changed since.
            LOG.error("node {} index '{}': the extractor of '{}' refuses the expression: {}", nodeId,
                    li.definition.name(), spec.scheme(), e.getMessage());
            return null;
        }
    }

    private String reasonOf(LiveIndex li) {
        String scheme = ExtractorSpec.parse(li.definition.extractor()).scheme();
        return switch (li.phase) {
            case WAITING -> "waiting for an extractor of scheme '" + scheme + "' (schemes here: " + extractors.known() + ")";
            case UNAVAILABLE -> li.extraction == null
                    ? "no extractor of scheme '" + scheme + "' on this node (schemes here: " + extractors.known() + ")"
                    : "to be built anew";
            case CLEARING -> "removing its old entries before building it anew";
            default -> "";
        };
    }

    /** Whether the store should use this catalog now: not while an index waits for its scheme (the store then keeps every change). */
    boolean wantsStore() {
        return !waiting;
    }

    /** Whether any index is defined (the store keeps changes for them while it has no catalog). */
    boolean anyDefined() {
        return !definitions.isEmpty();
    }

    synchronized Collection<LiveIndex> byIdSnapshot() {
        return List.copyOf(byId.values());
    }

    LiveIndex byName(String name) {
        return byName.get(name);
    }

    IndexDefinitions definitions() {
        return definitions;
    }

    /** Marks an index complete (the builder filled it), here and in the node's file. */
    void ready(LiveIndex li) {
        li.progress = 1;
        li.phase = Phase.READY;
        local.set(li.definition.id(), Local.READY);
        LOG.info("node {} index '{}': ready", nodeId, li.definition.name());
    }

    /** An index whose old entries are gone starts building. */
    void cleared(LiveIndex li) {
        local.set(li.definition.id(), Local.BUILDING);
        li.progress = 0;
        li.phase = Phase.BUILDING;
        li.reason = "";
        publish();
    }

    void forget(int id) {
        local.forget(id);
    }

    // ---- IndexEntries ----

    @Override
    public List<byte[]> entriesOf(int segment, byte[] key, byte[] value) {
        LiveIndex[] kept = maintained;
        if (waiting) {
            throw new IllegalStateException("an index waits for its extractor: the change is kept for a catch-up");
        }
        if (kept.length == 0) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>(kept.length);
        for (LiveIndex li : kept) {
            if (li.extraction == null) {
                // Its scheme went between the check above and here (the builder marks it waiting,
                // then drops the extraction): keep the change, as while it waits.
                throw new IllegalStateException("index '" + li.definition.name() + "' just lost its extractor: the"
                        + " change is kept for a catch-up");
            }
            addEntries(li, segment, key, value, out);
        }
        return out;
    }

    /** The entries of one index only (backfill, queries' checks, verify). */
    IndexEntries only(LiveIndex li) {
        return (segment, key, value) -> {
            List<byte[]> out = new ArrayList<>(1);
            addEntries(li, segment, key, value, out);
            return out;
        };
    }

    private void addEntries(LiveIndex li, int segment, byte[] key, byte[] value, List<byte[]> out) {
        IndexExtractor.Extraction ex = li.extraction;
        if (ex == null) {
            return;
        }
        IndexValues.Collector sink = IndexValues.collector(li.definition.type());
        try {
            ex.extract(key, value, sink);
        } catch (RuntimeException e) {
            li.extractFailures.increment();
            long n = failureLog.event();
            if (n > 0) {
                LOG.warn("node {} index '{}' segment {} key {}: the extractor failed ({}); the record is stored, not"
                        + " indexed ({} such failures since the last line)", nodeId, li.definition.name(), segment,
                        Keys.printable(key), e.toString(), n);
            }
            return;
        }
        IndexValues.Result r = sink.result();
        if (r.typeMismatches() > 0) {
            li.typeMismatches.add(r.typeMismatches());
        }
        if (r.oversize() > 0 || r.tooManyValues()) {
            li.refusedValues.add(r.tooManyValues() ? 1 : r.oversize());
        }
        for (byte[] v : r.values()) {
            byte[] entry = new byte[li.prefix.length + v.length];
            System.arraycopy(li.prefix, 0, entry, 0, li.prefix.length);
            System.arraycopy(v, 0, entry, li.prefix.length, v.length);
            out.add(entry);
        }
    }
}

package earthwo.indexes.internal;

import earthwo.api.storage.ReindexStep;
import earthwo.api.storage.SegmentStore;
import earthwo.indexes.internal.LiveIndex.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The one thread ({@value #THREAD_NAME}) that keeps this node's indexes up to date, in small
 * steps so that each kind of work takes turns and a stop is quick:
 * <ol>
 *   <li>refreshes the catalog when the definitions or the extractors changed (or a grace may have
 *       run out) and tells the store which {@link earthwo.api.storage.IndexEntries} to use;</li>
 *   <li>catches up the changes the store kept while it had none (a restart, an update of this
 *       bundle, an extractor that was away for a moment);</li>
 *   <li>removes the entries of dropped indexes, and of indexes to be built anew;</li>
 *   <li>fills building indexes from the records stored before (backfill), a batch of records at a
 *       time per index, under the records' locks, while writes go on.</li>
 * </ol>
 */
final class IndexBuilder {

    static final String THREAD_NAME = "earthwo-indexes-builder";

    private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);
    /** Keys caught up, entries removed, records backfilled per store call. */
    private static final int STEP = 500;
    /** The longest rest between rounds with nothing to do: how soon a grace running out is noticed. */
    private static final long IDLE_MS = 1_000;

    private final int nodeId;
    private final SegmentStore store;
    private final IndexCatalog catalog;
    private final Supplier<IndexDefinitions> definitions;
    private final int backfillBatch;
    private final Object signal = new Object();
    private final Thread thread;
    private boolean changed = true;
    private volatile boolean stopped;
    /** Backfill cursors: index id to (segment, last key). */
    private final Map<Integer, Cursor> cursors = new HashMap<>();
    /** Dropped ids whose entries this node has removed since it started. */
    private final Set<Integer> removed = new HashSet<>();
    private Boolean definedNoted;
    private Boolean usedNoted;
    private long backfilled;

    private record Cursor(int segment, byte[] lastKey, long started) {
    }

    IndexBuilder(int nodeId, SegmentStore store, IndexCatalog catalog, Supplier<IndexDefinitions> definitions,
                 int backfillBatch) {
        this.nodeId = nodeId;
        this.store = store;
        this.catalog = catalog;
        this.definitions = definitions;
        this.backfillBatch = backfillBatch;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Something changed: the definitions, or the extractors this node has. */
    void changed() {
        synchronized (signal) {
            changed = true;
            signal.notifyAll();
        }
    }

    /** Records backfilled since the node started. */
    long backfilled() {
        return backfilled;
    }

    /** Stops the thread and waits for it (a step is short); the store is left without entries to use. */
    void stop() {
        stopped = true;
        changed();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("node {}: {} did not end within 10 s", nodeId, THREAD_NAME);
        }
    }

    private void run() {
        while (!stopped) {
            try {
                boolean refresh;
                synchronized (signal) {
                    refresh = changed;
                    changed = false;
                }
                if (refresh || anyWaiting()) {
                    refresh();
                }
                boolean busy = catchUp() | removeDropped() | clear() | backfill();
                if (!busy) {
                    synchronized (signal) {
                        if (!changed && !stopped) {
                            signal.wait(IDLE_MS);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                // The store may be reopening; try again after a pause.
                LOG.warn("node {}: index upkeep failed ({}); trying again in {} ms", nodeId, e.toString(), IDLE_MS);
                synchronized (signal) {
                    try {
                        signal.wait(IDLE_MS);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    private boolean anyWaiting() {
        return catalog.byIdSnapshot().stream().anyMatch(li -> li.phase == Phase.WAITING);
    }

    private void refresh() {
        catalog.refresh(definitions.get(), System.nanoTime());
        boolean defined = catalog.anyDefined();
        if (!Boolean.valueOf(defined).equals(definedNoted)) {
            store.noteIndexesDefined(defined);
            definedNoted = defined;
        }
        boolean use = catalog.wantsStore();
        if (!Boolean.valueOf(use).equals(usedNoted)) {
            store.useIndexEntries(use ? catalog : null);
            usedNoted = use;
            if (!use) {
                LOG.info("node {}: an index waits for its extractor; the store keeps every change to index it later",
                        nodeId);
            }
        }
    }

    /** Leaves the store without entries to use (it keeps the changes from then on for a later start). */
    void detach() {
        store.useIndexEntries(null);
    }

    private boolean catchUp() {
        if (!Boolean.TRUE.equals(usedNoted) || store.unindexedChanges() == 0) {
            return false;
        }
        int taken = 0;
        for (int s = 0; s < store.segmentCount() && !stopped; s++) {
            int n;
            while ((n = store.catchUpIndexes(s, STEP)) > 0 && !stopped) {
                taken += n;
            }
        }
        if (taken > 0) {
            LOG.info("node {}: indexed {} keys changed while their indexes were not kept", nodeId, taken);
        }
        return taken > 0;
    }

    /** Removes the entries of dropped indexes and of ids this node holds that no definition has. */
    private boolean removeDropped() {
        Set<Integer> ids = new TreeSet<>(definitions.get().dropped());
        ids.removeAll(removed);
        boolean any = false;
        for (int id : ids) {
            if (catalog.byIdSnapshot().stream().anyMatch(li -> li.definition.id() == id)) {
                continue;
            }
            byte[] prefix = IndexDefinition.prefix(id);
            long gone = 0;
            for (int s = 0; s < store.segmentCount() && !stopped; s++) {
                int n;
                while (store.indexEntryCount(s, id) > 0 && (n = store.dropIndexEntries(s, prefix, STEP)) > 0 && !stopped) {
                    gone += n;
                }
            }
            if (stopped) {
                return true;
            }
            removed.add(id);
            catalog.forget(id);
            cursors.remove(id);
            if (gone > 0) {
                LOG.info("node {}: removed {} entries of dropped index id {}", nodeId, gone, id);
                any = true;
            }
        }
        return any;
    }

    private boolean clear() {
        boolean any = false;
        for (LiveIndex li : catalog.byIdSnapshot()) {
            if (li.phase != Phase.CLEARING) {
                continue;
            }
            long gone = 0;
            for (int s = 0; s < store.segmentCount() && !stopped; s++) {
                int n;
                while ((n = store.dropIndexEntries(s, li.prefix, STEP)) > 0 && !stopped) {
                    gone += n;
                }
            }
            if (stopped || li.phase != Phase.CLEARING) {
                return true;
            }
            LOG.info("node {} index '{}': removed its {} old entries; building it anew", nodeId, li.definition.name(), gone);
            cursors.remove(li.definition.id());
            catalog.cleared(li);
            any = true;
        }
        return any;
    }

    /** One batch of each building index; true if any index had work. */
    private boolean backfill() {
        if (!Boolean.TRUE.equals(usedNoted)) {
            return false;
        }
        boolean any = false;
        int segments = store.segmentCount();
        for (LiveIndex li : catalog.byIdSnapshot()) {
            if (li.phase != Phase.BUILDING || li.extraction == null) {
                continue;
            }
            any = true;
            Cursor c = cursors.computeIfAbsent(li.definition.id(), id -> new Cursor(0, null, System.nanoTime()));
            ReindexStep step = store.reindex(c.segment(), c.lastKey(), backfillBatch, catalog.only(li));
            backfilled += step.records();
            if (!step.done()) {
                cursors.put(li.definition.id(), new Cursor(c.segment(), step.lastKey(), c.started()));
            } else if (c.segment() + 1 < segments) {
                cursors.put(li.definition.id(), new Cursor(c.segment() + 1, null, c.started()));
                li.progress = (c.segment() + 1) / (double) segments;
            } else {
                cursors.remove(li.definition.id());
                catalog.ready(li);
                LOG.info("node {} index '{}': backfilled in {} ms", nodeId, li.definition.name(),
                        (System.nanoTime() - c.started()) / 1_000_000);
            }
        }
        return any;
    }
}

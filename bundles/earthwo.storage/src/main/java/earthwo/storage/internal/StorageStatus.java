package earthwo.storage.internal;

import com.sleepycat.je.EnvironmentStats;

import earthwo.api.EarthwoException;

import java.util.LinkedHashMap;
import java.util.Map;

/** The facts the storage bundle reports under "storage." in the node's status. */
final class StorageStatus {

    static final String NAME = "storage";

    private StorageStatus() {
    }

    static Map<String, Object> of(JeSegmentStore store) {
        Map<String, Object> m = new LinkedHashMap<>();
        StorageSettings s = store.settings();
        m.put("dir", s.dir());
        m.put("segments", store.segmentCount());
        m.put("durability", s.durability().configName());
        m.put("flush.interval.ms", s.flushIntervalMs());
        m.put("outbox.enabled", store.keepsOutbox());
        DiskReserve disk = store.diskReserve();
        m.put("disk.reserve.bytes", disk.reserveBytes());
        m.put("disk.free.bytes", disk.measureFreeBytes());
        m.put("disk.writes", disk.refusing() ? "refused" : "accepted");
        m.put("disk.writes.refused", disk.refusals());
        EnvironmentReopener reopener = store.reopener();
        m.put("environment.reopens", reopener.reopens());
        m.put("environment.requests.refused", reopener.refusals());
        if (store.isClosed()) {
            m.put("state", "closed");
            return m;
        }
        if (reopener.reopening()) {
            m.put("state", "reopening");
            String failure = reopener.failure();
            if (failure != null) {
                m.put("environment.failure", failure);
            }
            return m;
        }
        m.put("state", "open");
        try {
            putEnvironmentFacts(m, store);
        } catch (EarthwoException e) {
            // closed, or failed, since the state was read
            m.put("state", "unavailable");
            m.put("state.reason", e.getMessage());
        }
        return m;
    }

    /** The facts that ask the open environment. */
    private static void putEnvironmentFacts(Map<String, Object> m, JeSegmentStore store) {
        m.put("records", store.totalRecords());
        m.put("expiry.index.entries", store.totalExpiryIndexEntries());
        m.put("index.entries", store.totalIndexEntries());
        m.put("index.unindexed", store.unindexedChanges());
        m.put("index.entry.failures", store.indexEntryFailures());
        m.put("outbox.events", store.totalOutboxEvents());
        m.put("outbox.dropped", store.totalOutboxDropped());
        m.put("hints.pending", store.hints().totalPending());
        m.put("cache.size.bytes", store.cacheSizeBytes());
        EnvironmentStats stats = store.environmentStats();
        m.put("cache.used.bytes", stats.getCacheTotalBytes());
        m.put("cache.misses", stats.getNCacheMiss());
        m.put("log.bytes", stats.getTotalLogSize());
        m.put("log.fsyncs", stats.getNLogFSyncs());
        m.put("checkpoints", stats.getNCheckpoints());
        RecordCache.Stats rc = store.recordCacheStats();
        if (rc != null) {
            m.put("record.cache.capacity.bytes", rc.capacityBytes());
            m.put("record.cache.allocated.bytes", rc.allocatedBytes());
            m.put("record.cache.used.bytes", rc.usedBytes());
            m.put("record.cache.entries", rc.entries());
            m.put("record.cache.hits", rc.hits());
            m.put("record.cache.known.absent", rc.knownAbsent());
            m.put("record.cache.misses", rc.misses());
            m.put("record.cache.evictions", rc.evictions());
            m.put("record.cache.complete.segments", rc.completeSegments());
            RecordCacheWarmup warmup = store.warmup();
            if (warmup == null) {
                m.put("record.cache.warmup", "off");
            } else {
                m.put("record.cache.warmup", warmup.state().label());
                m.put("record.cache.warmup.records", warmup.records.sum());
                m.put("record.cache.warmup.segments", warmup.completedSegments.sum());
                m.put("record.cache.warmup.ms", warmup.millis());
            }
        } else {
            m.put("record.cache", "off");
        }
        GroupCommit group = store.groupCommit();
        if (group != null) {
            m.put("group.commit.writes", group.groups.sum());
            m.put("group.commit.commits", group.commits.sum());
            m.put("group.commit.burst.writes", group.burstWrites.sum());
        }
    }
}

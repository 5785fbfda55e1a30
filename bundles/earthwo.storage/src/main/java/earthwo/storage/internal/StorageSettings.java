package earthwo.storage.internal;

import earthwo.api.NodeProperties;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The storage bundle's settings, resolved with {@link NodeProperties#get}: component
 * configuration (PID {@value #PID}), then framework property, then the default next to each key.
 */
final class StorageSettings {

    static final String PID = "earthwo.storage";

    /** Store directory; default {@code ${earthwo.data}/store}. */
    static final String DIR = "earthwo.storage.dir";
    static final String STORE_SUBDIR = "store";

    /** write_no_sync (default), sync or no_sync; see {@link DurabilityMode}. */
    static final String DURABILITY = "earthwo.storage.durability";
    static final String DURABILITY_DEFAULT = "write_no_sync";

    /** Interval of JE's background log write and fsync, in ms. */
    static final String FLUSH_INTERVAL = "earthwo.storage.flush.interval.ms";
    static final String FLUSH_INTERVAL_DEFAULT = "1000";

    /** JE cache as a percentage of the JVM's maximum heap (ignored when the byte size is set). */
    static final String CACHE_PERCENT = "earthwo.storage.cache.percent";
    static final String CACHE_PERCENT_DEFAULT = "40";

    /** JE cache in bytes; 0 = use the percentage. */
    static final String CACHE_BYTES = "earthwo.storage.cache.bytes";
    static final String CACHE_BYTES_DEFAULT = "0";

    /**
     * The record cache in front of JE ({@link RecordCache}) as a percentage of the JVM's maximum
     * heap; 0 turns it off. Its memory grows with the records it holds, up to this share.
     */
    static final String RECORD_CACHE_PERCENT = "earthwo.storage.record.cache.percent";
    static final String RECORD_CACHE_PERCENT_DEFAULT = "10";

    /** The record cache in bytes (at least {@link RecordCache#MIN_CAPACITY_BYTES}); 0 = use the percentage. */
    static final String RECORD_CACHE_BYTES = "earthwo.storage.record.cache.bytes";
    static final String RECORD_CACHE_BYTES_DEFAULT = "0";

    /**
     * Whether a reopened store loads its records into the record cache in the background
     * ({@link RecordCacheWarmup}); true or false.
     */
    static final String RECORD_CACHE_WARMUP = "earthwo.storage.record.cache.warmup";
    static final String RECORD_CACHE_WARMUP_DEFAULT = "true";

    /**
     * Bytes of log JE writes between two checkpoints. Larger than JE's 20 MB: with keys written
     * all over the tree, every checkpoint writes most of the B-tree's bottom nodes again, and
     * the cleaner then has those to clean too (BENCHMARKS.md, "Settings and JVM options, measured":
     * 17–18 µs of node CPU per SET instead of 28–33 with the cleaner setting below). The price:
     * recovery after a crash replays up to this much log (JE's open took 5.0–6.1 s instead of
     * 2.8–3.4 s after a kill -9).
     */
    static final String CHECKPOINT_BYTES = "earthwo.storage.checkpoint.bytes";
    static final String CHECKPOINT_BYTES_DEFAULT = "200000000";

    /**
     * JE's cleaner keeps at least this percentage of the log's bytes live (JE's default is 50):
     * lower means less cleaning per write and more disk, up to 100/this times the live data.
     */
    static final String CLEANER_MIN_UTILIZATION = "earthwo.storage.cleaner.min.utilization";
    static final String CLEANER_MIN_UTILIZATION_DEFAULT = "33";

    /** How long an apply waits for a record lock held by another writer, in ms. */
    static final String LOCK_TIMEOUT = "earthwo.storage.lock.timeout.ms";
    static final String LOCK_TIMEOUT_DEFAULT = "2000";

    /**
     * Bytes of disk JE keeps free on the store's volume (JE's {@code je.freeDisk}): with this much
     * free space or less, writes are refused with UNAVAILABLE ({@link DiskReserve}) and reads go
     * on; 0 turns the reserve off (JE then writes until the disk is full, and its environment
     * fails). JE's own default, 5 GiB, is most of a small disk and stopped nodes whose disks were
     * far from full. 512 MiB is more than a whole store of a million keys took on disk (306–421 MB,
     * BENCHMARKS.md), so it holds what JE still writes once writes are refused: the checkpoint
     * under way (the B-tree nodes dirtied since the last one), the cleaner's copies of live
     * records and the checkpoint that ends recovery when the node restarts, with room left for
     * the operator's tools. Stores of many millions of keys want more.
     */
    static final String FREE_DISK_BYTES = "earthwo.storage.free.disk.bytes";
    static final String FREE_DISK_BYTES_DEFAULT = "536870912";
    /** A larger reserve is a typing error (1 TiB). */
    static final long MAX_FREE_DISK_BYTES = 1L << 40;

    /**
     * Whether every applied change is recorded as an event in its segment's outbox
     * ({@link Outbox}), which hooks are delivered from, from the start; true or false. Off by
     * default, because the outbox costs every write a second JE put: the hooks bundle switches it
     * on at runtime ({@link JeSegmentStore#keepOutbox}) when the cluster gets its first hook, and
     * it then stays on.
     */
    static final String OUTBOX_ENABLED = "earthwo.storage.outbox.enabled";
    static final String OUTBOX_ENABLED_DEFAULT = "false";

    /**
     * Events the outboxes of all segments hold together at most; a write beyond it drops the
     * oldest event of its segment (counted per segment, see {@link OutboxLosses}).
     */
    static final String OUTBOX_MAX_EVENTS = "earthwo.storage.outbox.max.events";
    static final String OUTBOX_MAX_EVENTS_DEFAULT = "1000000";

    /** Bytes of a new value an event keeps; a longer value is cut and the event says so. */
    static final String OUTBOX_VALUE_BYTES = "earthwo.storage.outbox.value.bytes";
    static final String OUTBOX_VALUE_BYTES_DEFAULT = "65536";

    static final int MAX_SEGMENTS = 65_536;

    private final Path dir;
    private final int segments;
    private final DurabilityMode durability;
    private final long flushIntervalMs;
    private final int cachePercent;
    private final long cacheBytes;
    private final long lockTimeoutMs;
    private final long recordCacheBytes;
    private final boolean recordCacheWarmup;
    private final long checkpointBytes;
    private final int cleanerMinUtilization;
    private final long freeDiskBytes;
    private final boolean outboxEnabled;
    private final long outboxMaxEvents;
    private final int outboxValueBytes;

    private StorageSettings(Path dir, int segments, DurabilityMode durability, long flushIntervalMs,
            int cachePercent, long cacheBytes, long lockTimeoutMs, long recordCacheBytes, boolean recordCacheWarmup,
            long checkpointBytes, int cleanerMinUtilization, long freeDiskBytes, boolean outboxEnabled,
            long outboxMaxEvents, int outboxValueBytes) {
        this.dir = dir;
        this.segments = segments;
        this.durability = durability;
        this.flushIntervalMs = flushIntervalMs;
        this.cachePercent = cachePercent;
        this.cacheBytes = cacheBytes;
        this.lockTimeoutMs = lockTimeoutMs;
        this.recordCacheBytes = recordCacheBytes;
        this.recordCacheWarmup = recordCacheWarmup;
        this.checkpointBytes = checkpointBytes;
        this.cleanerMinUtilization = cleanerMinUtilization;
        this.freeDiskBytes = freeDiskBytes;
        this.outboxEnabled = outboxEnabled;
        this.outboxMaxEvents = outboxMaxEvents;
        this.outboxValueBytes = outboxValueBytes;
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static StorageSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        String dataDir = NodeProperties.get(NodeProperties.DATA_DIR, config, framework, NodeProperties.DATA_DIR_DEFAULT);
        String dir = NodeProperties.get(DIR, config, framework, Path.of(dataDir, STORE_SUBDIR).toString());
        int segments = NodeProperties.getInt(NodeProperties.SEGMENTS, config, framework, NodeProperties.SEGMENTS_DEFAULT,
                1, MAX_SEGMENTS);
        DurabilityMode durability = DurabilityMode.parse(NodeProperties.get(DURABILITY, config, framework, DURABILITY_DEFAULT));
        long flush = NodeProperties.getLong(FLUSH_INTERVAL, config, framework, FLUSH_INTERVAL_DEFAULT, 1, 3_600_000);
        int percent = NodeProperties.getInt(CACHE_PERCENT, config, framework, CACHE_PERCENT_DEFAULT, 1, 90);
        long bytes = NodeProperties.getLong(CACHE_BYTES, config, framework, CACHE_BYTES_DEFAULT, 0, Long.MAX_VALUE);
        long lockTimeout = NodeProperties.getLong(LOCK_TIMEOUT, config, framework, LOCK_TIMEOUT_DEFAULT, 1, 60_000);
        long recordCachePercent = NodeProperties.getLong(RECORD_CACHE_PERCENT, config, framework, RECORD_CACHE_PERCENT_DEFAULT, 0, 50);
        if (recordCachePercent > 0 && percent + recordCachePercent > 90) {
            throw new IllegalArgumentException("settings " + CACHE_PERCENT + " (" + percent + ") and " + RECORD_CACHE_PERCENT
                    + " (" + recordCachePercent + ") must leave at least 10 % of the heap");
        }
        long recordCacheBytes = NodeProperties.getLong(RECORD_CACHE_BYTES, config, framework, RECORD_CACHE_BYTES_DEFAULT, 0, Long.MAX_VALUE);
        if (recordCacheBytes > 0 && recordCacheBytes < RecordCache.MIN_CAPACITY_BYTES) {
            throw new IllegalArgumentException("setting " + RECORD_CACHE_BYTES + " must be 0 or at least "
                    + RecordCache.MIN_CAPACITY_BYTES + ", not " + recordCacheBytes);
        }
        if (recordCacheBytes == 0) {
            recordCacheBytes = Runtime.getRuntime().maxMemory() / 100 * recordCachePercent;
            if (recordCacheBytes > 0 && recordCacheBytes < RecordCache.MIN_CAPACITY_BYTES) {
                recordCacheBytes = 0; // a heap this small has no room for it
            }
        }
        boolean warmup = NodeProperties.getBoolean(RECORD_CACHE_WARMUP, config, framework, RECORD_CACHE_WARMUP_DEFAULT);
        long checkpointBytes = NodeProperties.getLong(CHECKPOINT_BYTES, config, framework, CHECKPOINT_BYTES_DEFAULT, 1_000_000, 10_000_000_000L);
        int cleanerMinUtilization = NodeProperties.getInt(CLEANER_MIN_UTILIZATION, config, framework, CLEANER_MIN_UTILIZATION_DEFAULT, 10, 90);
        long freeDiskBytes = NodeProperties.getLong(FREE_DISK_BYTES, config, framework, FREE_DISK_BYTES_DEFAULT, 0, MAX_FREE_DISK_BYTES);
        boolean outbox = NodeProperties.getBoolean(OUTBOX_ENABLED, config, framework, OUTBOX_ENABLED_DEFAULT);
        long outboxMax = NodeProperties.getLong(OUTBOX_MAX_EVENTS, config, framework, OUTBOX_MAX_EVENTS_DEFAULT, 1, 1_000_000_000L);
        int outboxValue = NodeProperties.getInt(OUTBOX_VALUE_BYTES, config, framework, OUTBOX_VALUE_BYTES_DEFAULT, 0, 512 * 1024 * 1024);
        return new StorageSettings(Path.of(dir).toAbsolutePath().normalize(), segments, durability, flush, percent, bytes,
                lockTimeout, recordCacheBytes, warmup, checkpointBytes, cleanerMinUtilization, freeDiskBytes,
                outbox, outboxMax, outboxValue);
    }

    Path dir() {
        return dir;
    }

    int segments() {
        return segments;
    }

    DurabilityMode durability() {
        return durability;
    }

    long flushIntervalMs() {
        return flushIntervalMs;
    }

    int cachePercent() {
        return cachePercent;
    }

    /** Configured cache bytes, or 0 when the percentage applies. */
    long cacheBytes() {
        return cacheBytes;
    }

    long lockTimeoutMs() {
        return lockTimeoutMs;
    }

    /** The record cache's capacity in bytes; 0 when it is off. */
    long recordCacheBytes() {
        return recordCacheBytes;
    }

    long checkpointBytes() {
        return checkpointBytes;
    }

    int cleanerMinUtilization() {
        return cleanerMinUtilization;
    }

    /** Bytes of disk JE keeps free; 0 when the reserve is off. */
    long freeDiskBytes() {
        return freeDiskBytes;
    }

    /** Whether the store loads its records into the record cache after it opens (when the cache is on). */
    boolean recordCacheWarmup() {
        return recordCacheWarmup;
    }

    /** Whether applied changes are recorded in the segments' outboxes. */
    boolean outboxEnabled() {
        return outboxEnabled;
    }

    /** Events all outboxes hold together at most. */
    long outboxMaxEvents() {
        return outboxMaxEvents;
    }

    /** Bytes of a value an event keeps. */
    int outboxValueBytes() {
        return outboxValueBytes;
    }

    @Override
    public String toString() {
        return "dir=" + dir + ", segments=" + segments + ", durability=" + durability.configName()
                + ", flushIntervalMs=" + flushIntervalMs
                + ", checkpointBytes=" + checkpointBytes + ", cleanerMinUtilization=" + cleanerMinUtilization + "%"
                + ", freeDiskBytes=" + freeDiskBytes
                + ", cache=" + (cacheBytes > 0 ? cacheBytes + " bytes" : cachePercent + "% of heap")
                + ", recordCache=" + (recordCacheBytes > 0 ? recordCacheBytes + " bytes" + (recordCacheWarmup ? " (warm-up)" : "") : "off")
                + ", outbox=" + (outboxEnabled ? "max " + outboxMaxEvents + " events, values cut at " + outboxValueBytes + " bytes" : "off");
    }
}

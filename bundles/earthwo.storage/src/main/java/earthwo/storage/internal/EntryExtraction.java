package earthwo.storage.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Keys;
import earthwo.api.storage.IndexEntries;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Asks an {@link IndexEntries} for a record's entries on behalf of a write, so that its failure
 * never fails the write: an exception, or entries the store cannot keep (null, shorter than an
 * index id, longer than {@value SecondaryIndex#MAX_ENTRY_BYTES} bytes), count as no answer, are
 * counted, and are logged at most once a minute with the store, segment and key.
 *
 * <p>A {@link LinkageError} counts too: an {@code IndexEntries} of an indexes bundle that was just
 * updated may run on a class loader whose classes are gone.
 */
final class EntryExtraction {

    private static final Logger LOG = LoggerFactory.getLogger(EntryExtraction.class);

    private final Path dir;
    private final LongAdder failures = new LongAdder();
    private final RateLimitedLog failureLines = new RateLimitedLog();

    EntryExtraction(Path dir) {
        this.dir = dir;
    }

    /** The entries of a live record's value, checked; null when they could not be had. */
    List<byte[]> of(IndexEntries entries, int segment, byte[] key, byte[] value, String during) {
        List<byte[]> out;
        try {
            out = entries.entriesOf(segment, key, value);
            check(out);
        } catch (RuntimeException | LinkageError e) {
            failures.increment();
            long n = failureLines.event();
            if (n > 0) {
                LOG.warn("storage store {}: the index entries of key {} in segment {} could not be had during {} ({} failures"
                        + " since the last line); the key is kept as an unindexed change", dir, Keys.printable(key), segment,
                        during, n, e);
            }
            return null;
        }
        return out;
    }

    private static void check(List<byte[]> entries) {
        if (entries == null) {
            throw new IllegalArgumentException("entriesOf returned null");
        }
        for (byte[] e : entries) {
            if (e == null || e.length < SecondaryIndex.INDEX_ID_BYTES || e.length > SecondaryIndex.MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException("an index entry of " + (e == null ? "null" : e.length + " bytes")
                        + ": entries are a " + SecondaryIndex.INDEX_ID_BYTES + "-byte index id and a value, at most "
                        + SecondaryIndex.MAX_ENTRY_BYTES + " bytes");
            }
        }
    }

    /** Entries that could not be had since this opening. */
    long failures() {
        return failures.sum();
    }
}

package earthwo.replication.internal.antientropy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the anti-entropy StatusSource (both the initiating and the answering side). */
final class AeStats {
    final LongAdder passes = new LongAdder();
    final LongAdder passesFailed = new LongAdder();
    final LongAdder keysCompared = new LongAdder();
    final LongAdder keysListed = new LongAdder();
    final LongAdder repaired = new LongAdder();
    final LongAdder pushed = new LongAdder();
    final LongAdder overwritten = new LongAdder();
    final LongAdder removed = new LongAdder();
    final LongAdder tombstonesPurged = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder messagesHandled = new LongAdder();
    /** Segment indexes built by a scan of the store, and reused because the segment had not changed. */
    final LongAdder indexesBuilt = new LongAdder();
    final LongAdder indexesReused = new LongAdder();
    /** A sole replica's tombstone scans, and those skipped because nothing changed since one found none. */
    final LongAdder tombstoneScans = new LongAdder();
    final LongAdder tombstoneScansSkipped = new LongAdder();
    final AtomicLong lastPassMillis = new AtomicLong();
}

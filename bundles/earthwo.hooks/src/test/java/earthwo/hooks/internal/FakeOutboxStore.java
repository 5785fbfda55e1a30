package earthwo.hooks.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.OutboxLoss;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * An in-memory {@link SegmentStore} with what the hooks dispatcher uses: per segment an outbox of
 * events in version order, losses, and delivery positions per name (forward-only, each name with
 * the clock time it was last saved). Records are not kept.
 */
class FakeOutboxStore implements SegmentStore {

    private final int segments;
    private volatile boolean outbox;
    private final LongSupplier clock;
    private final List<TreeMap<Version, KeyEvent>> events = new ArrayList<>();
    private final Map<Integer, OutboxLoss> losses = new HashMap<>();
    private final Map<String, Map<Integer, Version>> positions = new HashMap<>();
    private final Map<String, Long> savedAt = new HashMap<>();
    private int counter;
    final AtomicInteger saves = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    /** Per segment, changes made (as a real store's change count); null: the store keeps none (-1). */
    private final long[] changes;
    /** When set, every read of the outbox throws it (a store that is reopening). */
    volatile RuntimeException failure;

    FakeOutboxStore(int segments, boolean outbox, LongSupplier clock) {
        this(segments, outbox, clock, false);
    }

    FakeOutboxStore(int segments, boolean outbox, LongSupplier clock, boolean countsChanges) {
        this.changes = countsChanges ? new long[segments] : null;
        this.segments = segments;
        this.outbox = outbox;
        this.clock = clock;
        for (int s = 0; s < segments; s++) {
            events.add(new TreeMap<>());
        }
    }

    /** Appends an event of {@code key} to the segment's outbox, with a version of {@code wallMillis} after every earlier one. */
    synchronized KeyEvent add(int segment, EventType type, String key, long wallMillis) {
        Version v = Version.of(wallMillis, ++counter, 1);
        boolean value = type == EventType.CREATED || type == EventType.UPDATED;
        KeyEvent e = KeyEvent.change(type, Keys.utf8(key), v, segment, 0, value ? Keys.utf8("v" + counter) : null, false);
        events.get(segment).put(v, e);
        if (changes != null) {
            changes[segment]++;
        }
        return e;
    }

    /** Drops the segment's events through {@code through} as a full outbox would, recording the loss. */
    synchronized void lose(int segment, Version through) {
        int n = events.get(segment).headMap(through, true).size();
        events.get(segment).headMap(through, true).clear();
        OutboxLoss before = losses.get(segment);
        losses.put(segment, new OutboxLoss(through, (before == null ? 0 : before.count()) + n));
    }

    synchronized void setSavedAt(String name, long at) {
        savedAt.put(name, at);
    }

    synchronized int held(int segment) {
        return events.get(segment).size();
    }

    @Override
    public boolean keepsOutbox() {
        return outbox;
    }

    @Override
    public void keepOutbox() {
        outbox = true;
    }

    @Override
    public synchronized List<KeyEvent> events(int segment, Version after, int limit) {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        reads.incrementAndGet();
        List<KeyEvent> out = new ArrayList<>();
        for (KeyEvent e : events.get(segment).tailMap(after, false).values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long changeCount(int segment) {
        return changes == null ? -1 : changes[segment];
    }

    @Override
    public synchronized long trimEvents(int segment, Version through) {
        Map<Version, KeyEvent> head = events.get(segment).headMap(through, true);
        int n = head.size();
        head.clear();
        return n;
    }

    @Override
    public synchronized long outboxSize(int segment) {
        return events.get(segment).size();
    }

    @Override
    public synchronized OutboxLoss outboxLoss(int segment) {
        return losses.get(segment);
    }

    @Override
    public synchronized Map<Integer, Version> positions(String name) {
        return Map.copyOf(positions.getOrDefault(name, Map.of()));
    }

    @Override
    public synchronized void savePosition(String name, int segment, Version through) {
        saves.incrementAndGet();
        positions.computeIfAbsent(name, n -> new HashMap<>()).merge(segment, through, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        savedAt.put(name, clock.getAsLong());
    }

    @Override
    public synchronized Map<String, Long> positionNames() {
        Map<String, Long> out = new HashMap<>();
        for (String name : positions.keySet()) {
            out.put(name, savedAt.getOrDefault(name, 0L));
        }
        return out;
    }

    @Override
    public synchronized void dropPositions(String name) {
        positions.remove(name);
        savedAt.remove(name);
    }

    @Override
    public Optional<Record> read(int segment, byte[] key) {
        return Optional.empty();
    }

    @Override
    public ApplyResult apply(int segment, Record record) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean purge(int segment, Record record) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long count(int segment) {
        return 0;
    }

    @Override
    public int segmentCount() {
        return segments;
    }
}

package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.OutboxLoss;
import earthwo.api.storage.SegmentStore.ApplyResult;
import earthwo.api.testing.Poll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The outbox of key-change events kept beside each segment's records. */
class OutboxTest {

    private static final int SEGMENTS = 4;

    @TempDir
    Path dir;

    private JeSegmentStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /** Opens the store with the outbox on, plus {@code settings} (key, value, key, value …). */
    private void open(String... settings) {
        Map<String, Object> config = StoreFixture.config(dir, SEGMENTS);
        config.put(StorageSettings.OUTBOX_ENABLED, "true");
        for (int i = 0; i < settings.length; i += 2) {
            config.put(settings[i], settings[i + 1]);
        }
        if (store != null) {
            store.close();
        }
        store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    /** A record of {@code key} written at wall-clock ms {@code wall}. */
    private static Record put(String key, String value, long wall, long expiresAt) {
        return Record.value(Keys.utf8(key), Keys.utf8(value), v(wall), expiresAt);
    }

    private static Record put(String key, String value, long wall) {
        return put(key, value, wall, Record.NEVER);
    }

    private static Record delete(String key, long wall) {
        return Record.tombstone(Keys.utf8(key), v(wall));
    }

    private static Version v(long wall) {
        return Version.of(wall, 0, 1);
    }

    private List<KeyEvent> all(int segment) {
        return store.events(segment, Version.ZERO, Integer.MAX_VALUE);
    }

    private List<EventType> types(int segment) {
        return all(segment).stream().map(KeyEvent::type).toList();
    }

    /** "key@wall" of each event, to compare order. */
    private static List<String> names(List<KeyEvent> events) {
        return events.stream().map(e -> Keys.string(e.key()) + "@" + e.version().wallMillis()).toList();
    }

    // ---- what is recorded ----

    @ParameterizedTest(name = "record cache {0}")
    @ValueSource(booleans = {true, false})
    void eachApplyWithoutATypeRecordsTheTypeTheRecordsMakeIt(boolean recordCache) {
        open(StorageSettings.RECORD_CACHE_PERCENT, recordCache ? "10" : "0");
        assertTrue(store.keepsOutbox());
        assertEquals(EventType.CREATED, store.apply(0, put("a", "1", 1_000)).event());
        assertEquals(EventType.UPDATED, store.applyDeferred(0, put("a", "2", 1_001)).event());
        assertEquals(EventType.DELETED, store.applyDeferredIf(0, delete("a", 1_002), v(1_001)).event());
        assertEquals(EventType.CREATED, store.applyDeferred(0, put("a", "back", 1_003), null).event(), "over a tombstone");

        // b expires at 1500: a write after that finds nothing live
        assertEquals(EventType.CREATED, store.apply(0, put("b", "1", 1_000, 1_500)).event());
        assertEquals(EventType.UPDATED, store.apply(0, put("b", "live", 1_499, 1_500)).event(), "live until its expiry");
        assertEquals(EventType.CREATED, store.apply(0, put("b", "over expired", 1_500)).event(), "expired at its expiry");
        assertEquals(EventType.DELETED, store.apply(0, delete("c", 1_000)).event(), "a tombstone is a DELETED");

        assertEquals(List.of(EventType.CREATED, EventType.CREATED, EventType.DELETED, EventType.UPDATED, EventType.DELETED,
                EventType.CREATED, EventType.UPDATED, EventType.CREATED), types(0), "in version order");
        assertEquals(8, store.outboxSize(0));
        for (int s = 1; s < SEGMENTS; s++) {
            assertEquals(List.of(), all(s));
            assertEquals(0, store.outboxSize(s));
        }
    }

    @Test
    void aGivenTypeIsRecordedAsGiven() {
        open();
        store.apply(1, put("k", "v", 100, 150));
        ApplyResult expired = store.applyDeferred(1, delete("k", 200), EventType.EXPIRED);
        assertTrue(expired.applied());
        assertEquals(EventType.EXPIRED, expired.event());
        ApplyResult updated = store.applyDeferredIf(1, put("k", "v", 300), v(200), EventType.UPDATED);
        assertEquals(EventType.UPDATED, updated.event(), "the writer's word wins over what the records make it");
        assertEquals(List.of(EventType.CREATED, EventType.EXPIRED, EventType.UPDATED), types(1));

        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(EarthwoException.class, () -> store.applyDeferred(1, put("k", "v", 400), EventType.GAP)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> store.applyDeferredIf(1, put("k", "v", 400), v(300), EventType.GAP)).code());
        assertEquals(3, store.outboxSize(1));
    }

    @Test
    void whatIsNotAppliedRecordsNothingAndPurgeRecordsNothing() {
        open();
        store.apply(2, put("k", "new", 100));
        ApplyResult stale = store.applyDeferred(2, put("k", "old", 99), EventType.UPDATED);
        assertFalse(stale.applied());
        assertNull(stale.event());
        assertNull(store.apply(2, put("k", "same version", 100)).event());
        ApplyResult mismatch = store.applyDeferredIf(2, put("k", "cas", 101), v(50), EventType.UPDATED);
        assertFalse(mismatch.applied());
        assertNull(mismatch.event());
        assertEquals(1, store.outboxSize(2));

        Record tomb = delete("k", 102);
        assertEquals(EventType.DELETED, store.apply(2, tomb).event());
        assertTrue(store.purge(2, tomb));
        assertEquals(2, store.outboxSize(2), "a purge records nothing");
        // the same tombstone again (a late replica apply after the purge): the same change, filed under the same key
        ApplyResult again = store.apply(2, tomb);
        assertTrue(again.applied());
        assertEquals(EventType.DELETED, again.event());
        assertEquals(2, store.outboxSize(2), "recorded again in place");
        assertEquals(List.of("k@100", "k@102"), names(all(2)));
    }

    @Test
    void anEventHoldsTheKeyVersionExpiryAndTheValueCutAtTheLimit() {
        open(StorageSettings.OUTBOX_VALUE_BYTES, "4");
        store.apply(3, put("long", "abcdefgh", 10, 5_000));
        store.apply(3, put("exact", "abcd", 11));
        store.apply(3, put("short", "ab", 12));
        store.apply(3, delete("long", 13));
        store.applyDeferred(3, delete("exact", 14), EventType.EXPIRED);
        store.apply(3, Record.value(Keys.utf8("empty"), new byte[0], v(15), Record.NEVER));
        List<KeyEvent> events = all(3);
        assertEquals(6, events.size());

        KeyEvent cut = events.get(0);
        assertEquals(EventType.CREATED, cut.type());
        assertEquals("long", Keys.string(cut.key()));
        assertEquals(v(10), cut.version());
        assertEquals(3, cut.segment());
        assertEquals(5_000, cut.expiresAt());
        assertEquals("abcd", Keys.string(cut.value()));
        assertTrue(cut.valueTruncated());
        assertEquals("3/" + Long.toHexString(v(10).timestamp()) + ".1/6c6f6e67", cut.id());

        assertEquals("abcd", Keys.string(events.get(1).value()));
        assertFalse(events.get(1).valueTruncated(), "exactly the limit is whole");
        assertEquals(Record.NEVER, events.get(1).expiresAt());
        assertEquals("ab", Keys.string(events.get(2).value()));
        assertFalse(events.get(2).valueTruncated());
        for (KeyEvent gone : events.subList(3, 5)) {
            assertNull(gone.value(), gone.toString());
            assertFalse(gone.valueTruncated());
            assertEquals(Record.NEVER, gone.expiresAt());
        }
        assertEquals(EventType.DELETED, events.get(3).type());
        assertEquals(EventType.EXPIRED, events.get(4).type());
        assertArrayEquals(new byte[0], events.get(5).value());
        assertFalse(events.get(5).valueTruncated());
    }

    @Test
    void aValueLimitOfZeroKeepsNoValue() {
        open(StorageSettings.OUTBOX_VALUE_BYTES, "0");
        store.apply(0, put("k", "v", 1));
        KeyEvent e = all(0).get(0);
        assertArrayEquals(new byte[0], e.value());
        assertTrue(e.valueTruncated());
    }

    // ---- reading and trimming ----

    @Test
    void eventsComeInVersionOrderAndPageAfterAVersion() {
        open();
        long[] walls = {50, 10, 40, 20, 30};
        for (long wall : walls) {
            store.apply(0, put("k" + wall, "v", wall));
        }
        // two keys changed with one version: a page never splits them
        store.apply(0, put("same-a", "v", 25));
        store.apply(0, put("same-b", "v", 25));
        List<String> order = List.of("k10@10", "k20@20", "same-a@25", "same-b@25", "k30@30", "k40@40", "k50@50");
        assertEquals(order, names(all(0)));

        assertEquals(order.subList(0, 2), names(store.events(0, Version.ZERO, 2)));
        assertEquals(order.subList(2, 4), names(store.events(0, v(20), 1)), "the limit is passed to keep a version whole");
        assertEquals(order.subList(4, 6), names(store.events(0, v(25), 2)));
        assertEquals(order.subList(6, 7), names(store.events(0, v(40), 2)));
        assertEquals(List.of(), store.events(0, v(50), 2));
        assertEquals(order.subList(1, 7), names(store.events(0, v(15), 100)), "after a version no event has");
        assertEquals(order.subList(1, 7), names(store.events(0, new Version(v(10).timestamp(), 5), 100)),
                "k10, of node 1, is before a version of the same time from node 5");
        assertEquals(List.of(), store.events(0, Version.ZERO, 0));
        assertEquals(List.of(), store.events(1, Version.ZERO, 10), "other segments have their own outbox");

        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.events(0, Version.ZERO, -1)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.events(0, null, 1)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.events(SEGMENTS, Version.ZERO, 1)).code());
    }

    @Test
    void trimRemovesThroughAVersionAndTheCountsStayExactAcrossReopen() {
        open();
        int n = Outbox.TRIM_BATCH * 2 + 300; // more than one trim transaction
        for (int i = 1; i <= n; i++) {
            store.applyDeferred(1, put("k" + i, "v", i));
        }
        store.durable().toCompletableFuture().join();
        store.apply(2, put("other", "v", 1));
        assertEquals(n, store.outboxSize(1));

        assertEquals(0, store.trimEvents(1, Version.ZERO));
        assertEquals(10, store.trimEvents(1, v(10)));
        assertEquals(0, store.trimEvents(1, v(10)), "trimmed already");
        assertEquals(n - 10, store.outboxSize(1));
        assertEquals("k11@11", names(store.events(1, Version.ZERO, 1)).get(0));

        long through = Outbox.TRIM_BATCH * 2 + 100;
        assertEquals(through - 10, store.trimEvents(1, v(through)));
        assertEquals(n - through, store.outboxSize(1));
        assertEquals(n - through, all(1).size());
        assertEquals(1, store.outboxSize(2), "another segment's events stay");
        assertEquals(n - through + 1, StorageStatus.of(store).get("outbox.events"));

        open();
        assertEquals(n - through, store.outboxSize(1), "counted again at open");
        assertEquals(1, store.outboxSize(2));
        store.apply(1, put("after reopen", "v", n + 1));
        assertEquals(n - through + 1, store.outboxSize(1));
        assertEquals(n - through + 1, store.trimEvents(1, v(Long.MAX_VALUE >>> 16)));
        assertEquals(0, store.outboxSize(1));
        assertEquals(List.of(), all(1));
    }

    // ---- the bound ----

    @Test
    void aFullOutboxDropsTheOldestEventOfTheWritersSegmentAndRemembersTheLoss() {
        open(StorageSettings.OUTBOX_MAX_EVENTS, "5");
        for (int i = 1; i <= 5; i++) {
            store.apply(0, put("k" + i, "v", i * 10));
        }
        assertNull(store.outboxLoss(0));
        for (int i = 6; i <= 8; i++) {
            assertEquals(EventType.CREATED, store.apply(0, put("k" + i, "v", i * 10)).event());
        }
        assertEquals(5, store.outboxSize(0));
        assertEquals(List.of("k4@40", "k5@50", "k6@60", "k7@70", "k8@80"), names(all(0)));
        assertEquals(new OutboxLoss(v(30), 3), store.outboxLoss(0));

        // a full node, and segment 1 has no event: it keeps its own, so the bound is passed by one
        store.apply(1, put("s1-a", "v", 100));
        assertEquals(1, store.outboxSize(1));
        assertNull(store.outboxLoss(1));
        store.apply(1, put("s1-b", "v", 110));
        assertEquals(List.of("s1-b@110"), names(all(1)), "then it drops its own oldest");
        assertEquals(new OutboxLoss(v(100), 1), store.outboxLoss(1));

        // an old version arriving late (a repair) keeps its event: the oldest other goes
        store.apply(0, put("late", "v", 5));
        assertEquals(List.of("late@5", "k5@50", "k6@60", "k7@70", "k8@80"), names(all(0)));
        assertEquals(new OutboxLoss(v(40), 4), store.outboxLoss(0));
        assertEquals(List.of("s1-b@110"), names(all(1)));

        // trimming makes room again
        assertEquals(2, store.trimEvents(0, v(50)));
        store.apply(0, put("k9", "v", 90));
        assertEquals(new OutboxLoss(v(40), 4), store.outboxLoss(0), "no drop while there is room");

        Map<String, Object> status = StorageStatus.of(store);
        assertEquals(true, status.get("outbox.enabled"));
        assertEquals(5L, status.get("outbox.dropped"));
        assertEquals(5L, status.get("outbox.events"));

        open(StorageSettings.OUTBOX_MAX_EVENTS, "5");
        assertEquals(new OutboxLoss(v(40), 4), store.outboxLoss(0), "the loss survives a reopen");
        assertEquals(new OutboxLoss(v(100), 1), store.outboxLoss(1));
        assertNull(store.outboxLoss(2));
        assertEquals(5L, StorageStatus.of(store).get("outbox.dropped"));
        store.apply(0, put("k10", "v", 100));
        assertEquals(new OutboxLoss(v(60), 5), store.outboxLoss(0), "and grows from what was stored");
        assertEquals(List.of("k7@70", "k8@80", "k9@90", "k10@100"), names(all(0)));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.outboxLoss(SEGMENTS)).code());
    }

    /**
     * Writers, a full outbox and a trimmer at once: every applied change is either held, dropped
     * (and counted) or trimmed, and the counts are those of the databases.
     */
    @Test
    void concurrentWritersAndTrimsKeepEveryCountExact() throws Exception {
        int max = 50;
        open(StorageSettings.OUTBOX_MAX_EVENTS, String.valueOf(max));
        int threads = 4;
        int writesEach = 300;
        AtomicLong applied = new AtomicLong();
        AtomicLong trimmed = new AtomicLong();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int node = t + 1;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < writesEach; i++) {
                        // most into segment 0, some into 1; a shared key set, so keys are created and updated
                        Record r = Record.value(Keys.utf8("k" + (i % 40)), Keys.utf8("v"),
                                Version.of(1_000 + i, 0, node), Record.NEVER);
                        try {
                            if (store.applyDeferred(i % 5 == 0 ? 1 : 0, r, null).applied()) {
                                applied.incrementAndGet();
                            }
                        } catch (EarthwoException e) {
                            assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
                        }
                    }
                    return null;
                }));
            }
            Future<?> trimmer = pool.submit(() -> {
                while (writing.get()) {
                    List<KeyEvent> some = store.events(0, Version.ZERO, 10);
                    if (!some.isEmpty()) {
                        try {
                            trimmed.addAndGet(store.trimEvents(0, some.get(some.size() - 1).version()));
                        } catch (EarthwoException e) {
                            assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
                        }
                    }
                }
                return null;
            });
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            trimmer.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        long held = 0;
        long dropped = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            assertEquals(all(s).size(), store.outboxSize(s), "segment " + s);
            held += store.outboxSize(s);
            OutboxLoss loss = store.outboxLoss(s);
            dropped += loss == null ? 0 : loss.count();
        }
        assertTrue(applied.get() > max, "writes applied: " + applied);
        assertTrue(dropped > 0, "the outbox was full at times");
        assertEquals(applied.get(), held + dropped + trimmed.get(), "held " + held + ", dropped " + dropped + ", trimmed " + trimmed);
        assertTrue(held <= max + SEGMENTS, "the bound holds but for one event per segment: " + held);
        assertEquals(held, StorageStatus.of(store).get("outbox.events"));

        open(StorageSettings.OUTBOX_MAX_EVENTS, String.valueOf(max));
        long again = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            again += store.outboxSize(s);
        }
        assertEquals(held, again);
    }

    /** After a failed environment is reopened, the counts are those of the outboxes JE recovered, and so is the loss. */
    @Test
    void aReopenedEnvironmentCountsItsOutboxesAnew() throws Exception {
        open(StorageSettings.OUTBOX_MAX_EVENTS, "30");
        for (int i = 1; i <= 40; i++) {
            store.apply(i % 2, put("k" + i, "v", i));
        }
        long acknowledged = store.outboxSize(0) + store.outboxSize(1);
        for (int i = 41; i <= 60; i++) {
            store.applyDeferred(i % 2, put("k" + i, "v", i)); // may be lost with the failed log
        }
        EnvironmentReopenTest.failLogWrite(store);
        Poll.until("reads served again", Duration.ofSeconds(15), () -> {
            try {
                store.read(0, Keys.utf8("probe"));
                return true;
            } catch (EarthwoException e) {
                return false;
            }
        });
        long held = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            assertEquals(all(s).size(), store.outboxSize(s), "segment " + s);
            held += store.outboxSize(s);
            // each key was written once: every record JE recovered has its event, held or counted as dropped
            // (an eviction lost with the log brings its event back and takes its count back with it)
            OutboxLoss loss = store.outboxLoss(s);
            assertEquals(store.count(s), store.outboxSize(s) + (loss == null ? 0 : loss.count()), "segment " + s);
        }
        assertTrue(held >= acknowledged, held + " events, " + acknowledged + " acknowledged");
        assertTrue(held <= 30 + SEGMENTS, "the bound: " + held);
        assertTrue(store.outboxLoss(0).count() >= 4, "the acknowledged writes' evictions but the last: " + store.outboxLoss(0));
        assertEquals(EventType.CREATED, store.apply(0, put("after", "v", 100)).event());
    }

    // ---- off ----

    @Test
    void offByDefaultThenTurnedOnAndOffAgainWithoutTouchingTheEvents() {
        store = StoreFixture.open(dir, SEGMENTS);
        assertFalse(store.keepsOutbox());
        assertNull(store.apply(0, put("a", "1", 10)).event());
        assertNull(store.applyDeferred(0, put("a", "2", 11), EventType.UPDATED).event());
        assertNull(store.applyDeferredIf(0, delete("a", 12), v(11), EventType.DELETED).event());
        assertEquals(List.of(), all(0));
        assertEquals(0, store.outboxSize(0));
        assertNull(store.outboxLoss(0));
        assertEquals(0, store.trimEvents(0, v(100)));
        Map<String, Object> status = StorageStatus.of(store);
        assertEquals(false, status.get("outbox.enabled"));
        assertEquals(0L, status.get("outbox.events"));
        assertEquals(0L, status.get("outbox.dropped"));
        assertFalse(store.environment().getDatabaseNames().contains(Outbox.databaseName(0)), "no outbox databases made");

        open();
        assertTrue(store.keepsOutbox());
        assertEquals(0, store.outboxSize(0));
        assertEquals(EventType.CREATED, store.apply(0, put("a", "3", 13)).event());
        assertEquals(EventType.UPDATED, store.apply(0, put("a", "4", 14)).event());
        List<String> recorded = names(all(0));
        assertEquals(List.of("a@13", "a@14"), recorded);

        store.close();
        store = StoreFixture.open(dir, SEGMENTS);
        assertFalse(store.keepsOutbox());
        assertEquals(List.of(), all(0), "off: no events are read");
        assertEquals(0, store.outboxSize(0));
        assertNull(store.apply(0, put("a", "5", 15)).event());
        assertEquals(0, store.trimEvents(0, v(100)), "nor trimmed");

        open();
        assertEquals(recorded, names(all(0)), "on again: the events from before, none of the writes while it was off");
        assertEquals(2, store.outboxSize(0));
    }

    @Test
    void switchedOnWhileOpenItRecordsFromThenOnAndStaysOnThroughAReopen() throws Exception {
        store = StoreFixture.open(dir, SEGMENTS);
        assertNull(store.apply(0, put("before", "1", 10)).event());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (long i = 0; !stop.get(); i++) {
                store.apply(1, put("w" + i, "v", 100 + i));
                written.incrementAndGet();
            }
        });
        writer.start();
        try {
            Poll.until("writes under way", Duration.ofSeconds(10), () -> written.get() > 100);
            store.keepOutbox();
            assertTrue(store.keepsOutbox());
            assertEquals(EventType.CREATED, store.apply(0, put("after", "2", 20)).event());
            long mark = written.get();
            Poll.until("more writes", Duration.ofSeconds(10), () -> written.get() > mark + 100);
        } finally {
            stop.set(true);
            writer.join();
        }
        assertEquals(List.of("after@20"), names(all(0)), "no event for the change made before");
        List<KeyEvent> events = all(1);
        assertTrue(events.size() > 100, "the writes after the switch have events: " + events.size());
        long first = events.get(0).version().wallMillis() - 100;
        assertEquals(written.get() - first, events.size(), "every write from the first recorded one on has its event");
        assertEquals(true, StorageStatus.of(store).get("outbox.enabled"));
        store.keepOutbox(); // once on, again is nothing

        store.close();
        store = StoreFixture.open(dir, SEGMENTS);
        assertTrue(store.keepsOutbox(), "still on, though not configured");
        assertEquals(EventType.UPDATED, store.apply(0, put("after", "3", 30)).event());
        assertEquals(List.of("after@20", "after@30"), names(all(0)));
    }

    @Test
    void eventsAreReadUpToAWallClockTime() {
        open();
        for (long wall = 10; wall <= 50; wall += 10) {
            store.apply(0, put("k" + wall, "v", wall));
        }
        assertEquals(List.of("k10@10", "k20@20", "k30@30"), names(store.events(0, Version.ZERO, 30, 100)));
        assertEquals(List.of("k20@20"), names(store.events(0, v(10), 29, 1)));
        assertEquals(List.of(), store.events(0, Version.ZERO, 9, 100));
        assertEquals(5, store.events(0, Version.ZERO, Long.MAX_VALUE, 100).size());
    }

    @Test
    void settingsAreCheckedAndReported() {
        StorageSettings defaults = StorageSettings.resolve(null, k -> null);
        assertFalse(defaults.outboxEnabled());
        assertEquals(1_000_000, defaults.outboxMaxEvents());
        assertEquals(65_536, defaults.outboxValueBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of(StorageSettings.OUTBOX_ENABLED, "yes"), k -> null));
        assertTrue(e.getMessage().contains(StorageSettings.OUTBOX_ENABLED), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of(StorageSettings.OUTBOX_MAX_EVENTS, "0"), k -> null));
        assertTrue(e.getMessage().contains(StorageSettings.OUTBOX_MAX_EVENTS), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of(StorageSettings.OUTBOX_VALUE_BYTES, "-1"), k -> null));
        assertTrue(e.getMessage().contains(StorageSettings.OUTBOX_VALUE_BYTES), e.getMessage());
    }
}

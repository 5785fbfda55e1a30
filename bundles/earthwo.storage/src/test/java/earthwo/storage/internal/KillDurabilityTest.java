package earthwo.storage.internal;

import earthwo.api.storage.ExpiryIndexCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the durability promise of write_no_sync (and sync): a process killed with SIGKILL
 * loses no write whose apply had returned, nor one applied deferred whose {@code durable()}
 * had completed (group commit), nor one whose commit burst had ended (one log write on the
 * writing thread, as an I/O thread of the server does). After recovery every segment's expiry
 * index matches its records, and with the outbox on every record has the event of its change
 * and every event the record it changed, and with secondary index entries kept they are exactly
 * those of the records, with exact counts: all change in the records' transactions.
 */
class KillDurabilityTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"WRITE_NO_SYNC, direct", "SYNC, direct", "WRITE_NO_SYNC, deferred", "SYNC, deferred",
            "WRITE_NO_SYNC, burst", "WRITE_NO_SYNC, expiry", "WRITE_NO_SYNC, outbox", "SYNC, outbox",
            "WRITE_NO_SYNC, index"})
    void killedProcessLosesNoAcknowledgedWrite(DurabilityMode mode, String how) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), mode.configName(), how)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int lastAcked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lastAcked = Integer.parseInt(line.trim());
                if (lastAcked >= 300) {
                    break;
                }
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no JE close
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(lastAcked >= 300, "child acknowledged only " + lastAcked + " writes");
        Map<String, Object> config = StoreFixture.config(dir, 2);
        config.put(StorageSettings.OUTBOX_ENABLED, String.valueOf(how.equals("outbox")));
        try (JeSegmentStore store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null))) {
            for (int i = 0; i <= lastAcked; i++) {
                String key = "k" + i;
                boolean changesEarlierKeys = how.equals("outbox") || how.equals("index");
                if (changesEarlierKeys && (i + 5) % 4 == 0) { // deleted by write i + 5
                    Record r = store.read(i % 2, Keys.utf8(key)).orElseThrow(() -> new AssertionError(key + " lost"));
                    assertTrue(r.isTombstone() || i + 5 > lastAcked, "acknowledged delete of " + key + " lost");
                    if (r.isTombstone()) {
                        continue;
                    }
                }
                assertEquals(CrashWriter.value(i, how.equals("index")), Keys.string(store.read(i % 2, Keys.utf8(key)).orElseThrow(
                        () -> new AssertionError("acknowledged write " + key + " lost (" + mode + ", " + how + ")")).value()));
            }
            if (how.equals("outbox")) {
                assertRecordsAndEventsAgree(store, lastAcked);
            }
            if (how.equals("index")) {
                TestIndexEntries.firstByteAndParts().assertIndexMatches(store);
                assertTrue(store.totalIndexEntries() >= lastAcked, "entries: " + store.totalIndexEntries());
            }
            long entries = 0;
            for (int s = 0; s < 2; s++) {
                ExpiryIndexCheck check = store.verifyExpiryIndex(s);
                assertTrue(check.consistent(), check.toString());
                assertEquals(check.entries(), store.expiryIndexSize(s));
                entries += check.entries();
            }
            if (how.equals("expiry")) {
                assertTrue(entries >= lastAcked / 3, "the child's records with expiry are indexed: " + entries);
            }
        }
    }

    /**
     * Every stored record has the event of the change that wrote it, every event names a change
     * the store holds or has since overwritten, every acknowledged change has its event, and the
     * outbox counts are those of the databases.
     */
    private static void assertRecordsAndEventsAgree(JeSegmentStore store, int lastAcked) {
        Map<String, Version> written = new HashMap<>();
        int events = 0;
        for (int s = 0; s < 2; s++) {
            Map<String, List<KeyEvent>> byKey = new HashMap<>();
            List<KeyEvent> all = store.events(s, Version.ZERO, Integer.MAX_VALUE);
            assertEquals(all.size(), store.outboxSize(s), "the count of segment " + s);
            events += all.size();
            for (KeyEvent e : all) {
                byKey.computeIfAbsent(Keys.string(e.key()), k -> new ArrayList<>()).add(e);
                written.put(Keys.string(e.key()) + "@" + e.version(), e.version());
            }
            for (Record r : store.scan(s, null, null, Integer.MAX_VALUE)) {
                String key = Keys.string(r.key());
                List<KeyEvent> ofKey = byKey.getOrDefault(key, List.of());
                assertTrue(ofKey.stream().anyMatch(e -> e.version().equals(r.version())
                        && e.type() == (r.isTombstone() ? EventType.DELETED : r.version().timestamp() > 1_000_000
                                ? EventType.UPDATED : EventType.CREATED)),
                        "the stored " + r + " has its event: " + ofKey);
                for (KeyEvent e : ofKey) {
                    assertTrue(!e.version().isNewerThan(r.version()), "an event newer than the record: " + e + ", " + r);
                }
                byKey.remove(key);
            }
            assertEquals(Map.of(), byKey, "events of keys the store does not hold");
        }
        for (int i = 0; i <= lastAcked; i++) {
            assertTrue(written.containsKey("k" + i + "@" + new Version(i + 1, 1)), "the event of acknowledged k" + i);
            if (i >= 5) {
                assertTrue(written.containsKey("k" + (i - 5) + "@" + new Version(1_000_000 + i, 1)),
                        "the event of acknowledged change " + i + " of k" + (i - 5));
            }
        }
        assertTrue(events >= 2 * lastAcked - 5, "events: " + events);
    }
}

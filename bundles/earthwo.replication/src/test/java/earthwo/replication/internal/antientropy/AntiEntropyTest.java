package earthwo.replication.internal.antientropy;

import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.storage.ExpiryIndexCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AntiEntropyTest {

    private static final long T0 = System.currentTimeMillis() - 10_000;

    private static long ts(long wallOffset) {
        return Version.of(T0 + wallOffset, 0, 0).timestamp();
    }

    private static String value(String v) {
        return v;
    }

    @Test
    void mergeRepairsDivergenceBothWays(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 2, 8, 3_600_000)) {
            for (int i = 0; i < 2000; i++) {
                c.put(1, "k" + i, "v" + i, ts(i), 1);
                c.put(2, "k" + i, "v" + i, ts(i), 1);
            }
            assertTrue(c.engine(1).inSync().get(0).isEmpty(), "nothing known before a pass");
            List<AntiEntropy.PeerResult> first = c.passAll();
            assertTrue(first.stream().allMatch(r -> r.ok && !r.found()));
            assertEquals(Set.of(2), c.engine(1).inSync().get(3));
            assertEquals(Set.of(1), c.engine(2).inSync().get(3), "the replica learns the result");

            // Divergence: each side has keys the other lacks, newer versions on both sides, a delete on node 2.
            for (int i = 0; i < 50; i++) {
                c.put(1, "only1-" + i, "a", ts(5000 + i), 1);
                c.put(2, "only2-" + i, "b", ts(5000 + i), 2);
                c.put(1, "k" + i, "newer-on-1", ts(6000 + i), 1);
                c.put(2, "k" + (100 + i), "newer-on-2", ts(6000 + i), 2);
            }
            c.delete(2, "k500", ts(7000), 2);
            c.passAll();
            assertTrue(c.equalStores(1, 2), "both replicas equal after MERGE");
            assertEquals("newer-on-1", new String(c.read(2, "k3").value()));
            assertEquals("newer-on-2", new String(c.read(1, "k103").value()));
            assertNotNull(c.read(1, "only2-7"));
            assertNotNull(c.read(2, "only1-7"));
            assertTrue(c.read(1, "k500").isTombstone(), "the tombstone propagates");
            long pulled = 0;
            long pushed = 0;
            pulled += c.engine(1).stats.repaired.sum();
            pushed += c.engine(1).stats.pushed.sum();
            assertEquals(50 + 50 + 1, pulled);
            assertEquals(50 + 50, pushed);
            for (int s = 0; s < 8; s++) {
                assertEquals(Set.of(2), c.engine(1).inSync().get(s), "confirmed in sync after the repair");
            }
            List<AntiEntropy.PeerResult> again = c.passAll();
            assertTrue(again.stream().allMatch(r -> r.ok && !r.found()), "a second pass finds nothing");
        }
    }

    /**
     * A record repaired by anti-entropy brings its expiry index entry: the repaired replica's index
     * matches its records, as the coordinator's does.
     */
    @Test
    void repairedRecordsBringTheirExpiryIndexEntries(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 2, 4, 3_600_000)) {
            long expiresAt = 4_000_000_000_000L;
            for (int i = 0; i < 300; i++) {
                byte[] k = ("ttl" + i).getBytes(StandardCharsets.UTF_8);
                long expiry = i % 3 == 0 ? Record.NEVER : expiresAt + i;
                c.store(1).apply(c.segmentOf(k), Record.value(k, new byte[] {1}, new Version(ts(i), 1), expiry));
            }
            // Node 2 holds some of the keys with another expiry, older: the repair replaces their entries.
            for (int i = 0; i < 300; i += 7) {
                byte[] k = ("ttl" + i).getBytes(StandardCharsets.UTF_8);
                c.store(2).apply(c.segmentOf(k), Record.value(k, new byte[] {2}, new Version(ts(i) - 1, 2), expiresAt - i));
            }
            c.passAll();
            assertTrue(c.equalStores(1, 2), "both replicas equal after the repair");
            for (int s = 0; s < 4; s++) {
                ExpiryIndexCheck check = c.store(2).verifyExpiryIndex(s);
                assertTrue(check.consistent(), "segment " + s + " of the repaired replica: " + check);
                assertEquals(c.store(1).expiryIndexSize(s), c.store(2).expiryIndexSize(s), "segment " + s);
            }
        }
    }

    /**
     * A record stamped ten years ahead, on a replica that stored it before versions were checked,
     * is neither pulled nor pushed into another replica: it would beat every later write of its
     * key there. The exchange goes on for the other keys.
     */
    @Test
    void versionsFromTheFutureDoNotSpreadThroughAntiEntropy(@TempDir Path dir) {
        long tenYears = 315_360_000_000L;
        try (TestCluster c = new TestCluster(dir, 2, 8, 3_600_000)) {
            c.put(2, "future-on-2", "forged", Version.of(System.currentTimeMillis() + tenYears, 0, 2).timestamp(), 2);
            c.put(1, "future-on-1", "forged", Version.of(System.currentTimeMillis() + tenYears, 0, 1).timestamp(), 1);
            c.put(2, "fine", "v", ts(1), 2);
            c.passAll();
            assertNull(c.read(1, "future-on-2"), "not pulled from the replica");
            assertNull(c.read(2, "future-on-1"), "not pushed to the replica");
            assertNotNull(c.read(1, "fine"), "the rest of the exchange went on");
            assertEquals(1, c.engine(1).incoming.versionsRefused(), "the master refused the one it fetched");
            assertEquals(1, c.engine(2).incoming.versionsRefused(), "the replica refused the one pushed to it");
        }
    }

    /**
     * A cluster at rest: passes over segments nobody wrote to reuse each side's index instead of
     * scanning the store again, yet a write that reached only one replica is found by the next
     * pass (that side's segment changed, so it scans it), and indexes are rebuilt after a quarter
     * of the tombstone grace in any case.
     */
    @Test
    void passesOverUnchangedSegmentsReuseTheIndexesAndStillFindANewDifference(@TempDir Path dir) {
        long grace = 3_600_000;
        try (TestCluster c = new TestCluster(dir, 2, 4, grace)) {
            for (int i = 0; i < 500; i++) {
                c.put(1, "k" + i, "v" + i, ts(i), 1);
                c.put(2, "k" + i, "v" + i, ts(i), 1);
            }
            assertTrue(c.passAll().stream().allMatch(r -> r.ok && !r.found()));
            AeStats master = c.engine(1).stats;
            AeStats replica = c.engine(2).stats;
            assertEquals(4, master.indexesBuilt.sum(), "one scan per segment on the master...");
            assertEquals(4, replica.indexesBuilt.sum(), "...and on the replica");

            c.now += 30_000;
            assertTrue(c.passAll().stream().allMatch(r -> r.ok && !r.found()));
            assertEquals(4, master.indexesBuilt.sum(), "nothing changed: no scan");
            assertEquals(4, replica.indexesBuilt.sum());
            assertEquals(4, master.indexesReused.sum());

            // A write that reached the replica only (the master never saw it).
            c.put(2, "k7", "only-on-2", ts(9000), 2);
            int changed = c.segmentOf(TestCluster.key("k7"));
            c.now += 30_000;
            List<AntiEntropy.PeerResult> third = c.passAll();
            assertEquals(1, third.stream().filter(AntiEntropy.PeerResult::found).count(), "the changed segment differs");
            assertEquals("only-on-2", new String(c.read(1, "k7").value()), "and is repaired");
            assertTrue(c.equalStores(1, 2));
            assertEquals(5, master.indexesBuilt.sum(), "the master rescans only the segment it repaired (to confirm)");
            assertEquals(5, replica.indexesBuilt.sum(), "the replica rescans only its changed segment " + changed);

            long builtBefore = master.indexesBuilt.sum() + replica.indexesBuilt.sum();
            c.now += grace / 4;
            c.passAll();
            assertEquals(builtBefore + 8, master.indexesBuilt.sum() + replica.indexesBuilt.sum(),
                    "a quarter of the grace later every index is rebuilt");
        }
    }

    @Test
    void failedPassClearsInSync(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 2, 2, 3_600_000)) {
            c.put(1, "a", "1", ts(1), 1);
            c.put(2, "a", "1", ts(1), 1);
            c.passAll();
            assertEquals(Set.of(2), c.engine(1).inSync().get(0));
            c.links.down.add(2);
            List<AntiEntropy.PeerResult> r = c.passAll();
            assertFalse(r.get(0).ok);
            assertEquals(Set.of(), c.engine(1).inSync().get(0));
            assertEquals(2, c.engine(1).outOfSyncSegments());
        }
    }

    @Test
    void masterPolicyMakesEveryReplicaEqualToTheMaster(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 3, 4, 3_600_000)) {
            c.setPolicy(ReconcilePolicy.MASTER);
            for (int i = 0; i < 500; i++) {
                for (int n = 1; n <= 3; n++) {
                    c.put(n, "k" + i, "v" + i, ts(i), 1);
                }
            }
            // The minority side wrote during a partition: newer values and keys the master never saw.
            for (int i = 0; i < 20; i++) {
                c.put(2, "k" + i, "replica-newer", ts(9000 + i), 2);
                c.put(3, "extra3-" + i, "x", ts(9000 + i), 3);
                c.put(1, "master-only-" + i, "m", ts(9000 + i), 1);
            }
            c.delete(3, "k42", ts(9500), 3);
            c.delete(1, "k43", ts(9500), 1);
            c.passAll();
            assertTrue(c.equalStores(1, 2), "replica 2 equals the master");
            assertTrue(c.equalStores(1, 3), "replica 3 equals the master");
            assertEquals("v5", new String(c.read(2, "k5").value()), "newer replica value overwritten");
            assertNull(c.read(3, "extra3-5"), "keys the master lacks are removed");
            assertFalse(c.read(3, "k42").isTombstone(), "a replica's delete the master lacks is undone");
            assertTrue(c.read(2, "k43").isTombstone(), "the master's delete reaches the replicas");
            assertEquals(0, c.engine(1).stats.repaired.sum(), "the master pulls nothing");
            assertEquals(20, c.engine(1).stats.removed.sum());
            assertEquals(21, c.engine(1).stats.overwritten.sum());
            for (int s = 0; s < 4; s++) {
                assertEquals(Set.of(2, 3), c.engine(1).inSync().get(s));
            }
        }
    }

    /**
     * With no other replica there is nothing to compare: a pass only looks for tombstones past
     * the grace, and at most every quarter of the grace (a full index every interval cost a
     * quarter of a loaded single node's CPU).
     */
    @Test
    void aSoleReplicaPurgesOldTombstonesEveryQuarterGrace(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 1, 2, 40_000)) {
            for (int i = 0; i < 100; i++) {
                c.put(1, "k" + i, "v", ts(i), 1);
            }
            c.delete(1, "gone", ts(200), 1);
            c.now = T0 + 200 + 40_001; // "gone" is just past the grace
            assertTrue(c.passAll().isEmpty(), "no peer to talk to");
            assertNull(c.read(1, "gone"), "old tombstone purged");
            assertEquals(1, c.engine(1).stats.tombstonesPurged.sum());
            assertNotNull(c.read(1, "k7"), "values stay");

            c.delete(1, "gone-later", ts(300), 1);
            c.now += 5_000; // past the grace now, but only an eighth of the grace since the last look
            c.passAll();
            assertNotNull(c.read(1, "gone-later"), "not looked for again before a quarter of the grace");
            c.now += 5_000;
            c.passAll();
            assertNull(c.read(1, "gone-later"), "purged a quarter of the grace after the last look");
            assertEquals(2, c.engine(1).stats.tombstonesPurged.sum());
        }
    }

    /**
     * A sole replica at rest scans nothing: a segment unchanged since a scan that found no
     * tombstone cannot hold one. A delete makes its segment scanned again, and purged in time.
     */
    @Test
    void aSoleReplicaAtRestSkipsTheTombstoneScanUntilItsSegmentChanges(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 1, 2, 40_000)) {
            for (int i = 0; i < 100; i++) {
                c.put(1, "k" + i, "v", ts(i), 1);
            }
            AeStats stats = c.engine(1).stats;
            c.now = T0 + 1_000;
            c.passAll();
            assertEquals(2, stats.tombstoneScans.sum(), "both segments scanned once");
            c.now += 10_000; // a quarter of the grace later, nothing written
            c.passAll();
            assertEquals(2, stats.tombstoneScans.sum(), "nothing changed: no scan");
            assertEquals(2, stats.tombstoneScansSkipped.sum());

            c.delete(1, "k7", ts(11_000), 1);
            int deleted = c.segmentOf(TestCluster.key("k7"));
            c.now += 10_000;
            c.passAll();
            assertEquals(3, stats.tombstoneScans.sum(), "the segment with the delete is scanned again, only it");
            assertTrue(c.read(1, "k7").isTombstone(), "within the grace: kept");
            c.now = T0 + 11_000 + 40_001;
            c.passAll();
            assertNull(c.read(1, "k7"), "purged once past the grace");
            assertEquals(1, stats.tombstonesPurged.sum());
            assertEquals(4, stats.tombstoneScans.sum(), "segment " + deleted + " scanned until its tombstone was gone");
        }
    }

    @Test
    void tombstonesArePurgedOnceEveryReplicaIsInSync(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 3, 2, 1_000)) {
            c.put(1, "gone", "v", ts(1), 1);
            c.put(2, "gone", "v", ts(1), 1);
            c.put(3, "gone", "v", ts(1), 1);
            c.delete(1, "gone", ts(2), 1);
            c.put(1, "fresh", "v", ts(3), 1);
            c.delete(1, "fresh", Version.of(System.currentTimeMillis(), 0, 1).timestamp(), 1);
            c.links.down.add(3);
            c.passAll();
            assertTrue(c.read(2, "gone").isTombstone(), "tombstone propagated to 2");
            assertNotNull(c.read(1, "gone"), "not purged while replica 3 is unreachable");
            c.links.down.clear();
            c.passAll(); // repairs 3
            c.passAll(); // everyone in sync: purge
            for (int n = 1; n <= 3; n++) {
                assertNull(c.read(n, "gone"), "old tombstone purged on node " + n);
                assertTrue(c.read(n, "fresh").isTombstone(), "tombstone within the grace is kept on node " + n);
            }
            assertTrue(c.engine(1).stats.tombstonesPurged.sum() >= 3);
            List<AntiEntropy.PeerResult> r = c.passAll();
            assertTrue(r.stream().allMatch(p -> p.ok && !p.found()));
        }
    }

    /**
     * A syncing replica (just added, empty) gets the segment from the master in one pass and, told
     * by the master that it is in sync, reports caught up so the controller lets it serve.
     */
    @Test
    void aSyncingReplicaCatchesUpAndReportsIt(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 2, 4, 3_600_000, 2)) {
            for (int i = 0; i < 200; i++) {
                c.put(1, "k" + i, "v" + i, ts(i), 1);
            }
            assertTrue(c.caughtUp(1).isEmpty() && c.caughtUp(2).isEmpty());
            c.passAll();
            assertTrue(c.equalStores(1, 2), "the new replica holds the segment");
            assertEquals(Set.of(0, 1, 2, 3), c.caughtUp(2), "it reported every segment caught up");
            assertEquals(Set.of(), c.caughtUp(1), "the master reports nothing");
        }
    }

    /**
     * A replica added back to a segment may hold keys from the last time it was one, deleted and
     * purged since: under the default merge policy they must not come back to life — a syncing
     * replica takes the master's copy.
     */
    @Test
    void aSyncingReplicasLeftoversDoNotComeBackToLife(@TempDir Path dir) {
        try (TestCluster c = new TestCluster(dir, 2, 4, 3_600_000, 2)) {
            c.put(1, "kept", "new", ts(200), 1);
            c.put(2, "kept", "old", ts(100), 1);
            c.put(2, "deleted-and-purged", "old", ts(100), 1);
            c.passAll();
            assertNull(c.read(1, "deleted-and-purged"), "the leftover did not come back on the master");
            assertNull(c.read(2, "deleted-and-purged"), "the syncing replica dropped it");
            assertEquals("new", new String(c.read(2, "kept").value(), StandardCharsets.UTF_8));
            assertTrue(c.equalStores(1, 2));
        }
    }

    /**
     * The ratio (1M keys, 1,000 diverged = 0.1%) at 100,000 keys and 100 diverged by default; other
     * sizes with -Dae.keys, -Dae.diverged, -Dae.segments, -Dae.maxPercent.
     */
    @Test
    void bytesFollowTheDivergence(@TempDir Path dir) {
        int keys = Integer.getInteger("ae.keys", 100_000);
        int diverged = Integer.getInteger("ae.diverged", 100);
        int segments = Integer.getInteger("ae.segments", 64);
        byte[] value = new byte[100];
        try (TestCluster c = new TestCluster(dir, 2, segments, 3_600_000)) {
            long start = System.nanoTime();
            long fullCopy = 0;
            for (int i = 0; i < keys; i++) {
                byte[] k = TestCluster.key("user:" + i);
                int s = c.segmentOf(k);
                Record r = Record.value(k, value, new Version(ts(i % 5000), 1), Record.NEVER);
                c.store(1).apply(s, r);
                c.store(2).apply(s, r);
                fullCopy += AeCodec.recordBytes(r);
            }
            long loaded = System.nanoTime();
            // Half diverged on each side: newer values on node 2, keys node 1 lacks... spread over all segments.
            for (int i = 0; i < diverged; i++) {
                int k = (int) ((long) i * keys / diverged);
                byte[] key = TestCluster.key("user:" + k);
                int s = c.segmentOf(key);
                int node = i % 2 == 0 ? 1 : 2;
                c.store(node).apply(s, Record.value(key, value, new Version(ts(9000 + i), node), Record.NEVER));
            }
            c.links.reset();
            long t = System.nanoTime();
            c.passAll();
            long passNanos = System.nanoTime() - t;
            long bytes = c.links.total();
            assertTrue(c.equalStores(1, 2));
            long repaired = c.engine(1).stats.repaired.sum() + c.engine(1).stats.pushed.sum();
            System.out.printf("anti-entropy: %,d keys in %d segments, %,d diverged: full copy %,d B; pass exchanged %,d B "
                            + "(%,d requests B + %,d answer B, %d messages, incl. confirmation) = %.3f%% of a full copy; "
                            + "%d keys repaired; load %.1f s, pass %.1f s%n",
                    keys, segments, diverged, fullCopy, bytes, c.links.requestBytes.get(), c.links.answerBytes.get(),
                    c.links.messages.get(), 100.0 * bytes / fullCopy, repaired, (loaded - start) / 1e9, passNanos / 1e9);
            assertEquals(diverged, repaired);
            // In-sync passes: right after the repair (its confirmation already scanned what changed),
            // at rest, and a quarter of the grace later, when every index is rebuilt (as every pass
            // rebuilt them before indexes were kept).
            for (String when : new String[]{"after the repair", "at rest", "a quarter of the grace later"}) {
                if (when.startsWith("a quarter")) {
                    c.now += 3_600_000 / 4;
                }
                c.links.reset();
                long built = c.engine(1).stats.indexesBuilt.sum() + c.engine(2).stats.indexesBuilt.sum();
                long t0 = System.nanoTime();
                c.passAll();
                System.out.printf("anti-entropy: in-sync pass of %d segments %s exchanged %,d B in %.2f s, %d indexes built%n",
                        segments, when, c.links.total(), (System.nanoTime() - t0) / 1e9,
                        c.engine(1).stats.indexesBuilt.sum() + c.engine(2).stats.indexesBuilt.sum() - built);
            }
            double limit = Double.parseDouble(System.getProperty("ae.maxPercent", "1.0"));
            assertTrue(100.0 * bytes / fullCopy < limit, "bytes exchanged must follow the divergence");
        }
    }
}

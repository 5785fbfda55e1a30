package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.admin.StatusSource;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TtlCommandsTest {

    @Test
    void statusListsTheReapersFactsOnePerLine() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 4, 100);
        f.stats.lag.record(12);
        f.stats.reaped.add(1);
        StatusSource source = new StatusSource() {
            @Override
            public String name() {
                return Reaper.STATUS_NAME;
            }

            @Override
            public Map<String, Object> status() {
                return TtlStatus.facts(f.stats, new ExpiryCensus(f.store, f.cluster, f.now::get)::counts,
                        f.gate::awaiting, true, 0);
            }
        };

        String out = new TtlCommands(source).status();

        List<String> lines = out.lines().toList();
        for (String name : List.of("ttl.keys.with.expiry = 4", "ttl.expired.unreaped = 4", "ttl.reaped = 1",
                "ttl.reap.failures = 0", "ttl.reaper.lag.p50.ms = 12", "ttl.reaper.lag.p99.ms = 12",
                "ttl.index.entries = 4", "ttl.reaper.running = true", "ttl.reaper.passes = 0",
                "ttl.reaper.last.pass.ms = n/a")) {
            assertTrue(lines.contains(name), name + " in\n" + out);
        }
        assertTrue(out.endsWith("\n"));
    }

    @Test
    void withoutTheReaperTheCommandSaysSo() {
        String out = new TtlCommands(null).status();
        assertTrue(out.startsWith("ttl.reaper.running = false\n"), out);
    }

    @Test
    void beforeTheFirstReapTheLagIsNotAvailable() {
        Fixture f = new Fixture(16, Fixture.SELF);
        Map<String, Object> facts = TtlStatus.facts(f.stats, new ExpiryCensus(f.store, f.cluster, f.now::get)::counts,
                f.gate::awaiting, false, 0);
        assertEquals(TtlStatus.NO_VALUE, facts.get("reaper.lag.p50.ms"));
        assertEquals(0L, facts.get("keys.with.expiry"));
    }

    @Test
    void statusSaysWhichSegmentsWaitForAntiEntropyAndWhetherReplicaSyncIsMissing() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF, Fixture.OTHER);
        f.confirmed.remove(1);
        String out = new TtlCommands(source(f)).status();
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("ttl.segments.awaiting.sync = 1"), out);
        assertTrue(lines.contains("ttl.replica.sync.available = true"), out);
        assertTrue(out.contains("# 1 segment this node masters not reaped until anti-entropy confirms"), out);
        assertFalse(out.contains("ReplicaSync"), out);

        // Segment 0, confirmed once, stays reaped without the service; segment 1 waits on.
        f.sync = null;
        out = new TtlCommands(source(f)).status();
        lines = out.lines().toList();
        assertTrue(lines.contains("ttl.segments.awaiting.sync = 1"), out);
        assertTrue(lines.contains("ttl.replica.sync.available = false"), out);
        assertTrue(out.contains("# 1 segment this node masters not reaped until anti-entropy confirms"), out);
        assertTrue(out.contains("no ReplicaSync service"), out);
        assertTrue(out.endsWith("\n"));

        f.cluster.setMap(Fixture.soleReplicaMap(2, 3));
        out = new TtlCommands(source(f)).status();
        assertTrue(out.lines().toList().contains("ttl.segments.awaiting.sync = 0"), out);
        assertFalse(out.contains("#"), "a sole replica waits for nothing:\n" + out);
    }

    private static StatusSource source(Fixture f) {
        return new StatusSource() {
            @Override
            public String name() {
                return Reaper.STATUS_NAME;
            }

            @Override
            public Map<String, Object> status() {
                return TtlStatus.facts(f.stats, new ExpiryCensus(f.store, f.cluster, f.now::get)::counts,
                        f.gate::awaiting, true, 0);
            }
        };
    }
}

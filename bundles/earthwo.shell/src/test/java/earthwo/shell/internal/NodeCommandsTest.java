package earthwo.shell.internal;

import earthwo.api.admin.StatusSource;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeCommandsTest {

    private final NodeCommands node = new NodeCommands(() -> new NodeCommands.BundleStats(12, 11), () -> 93_784_000L);

    private static StatusSource source(String name, Map<String, Object> facts) {
        return new StatusSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, Object> status() {
                return facts;
            }
        };
    }

    @Test
    void listsEverySourceSortedWithNodeFacts() {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("puts", 7L);
        kv.put("gets", 3L);
        node.addSource(source("storage", Map.of("records", 42)));
        node.addSource(source("kv", kv));

        NodeStatus status = node.status();

        assertEquals("""
                kv.gets = 3
                kv.puts = 7
                node.bundles = 12
                node.bundles.active = 11
                node.uptime = 1d 02:03:04
                node.uptime.ms = 93784000
                storage.records = 42
                """, status.toString());
        assertEquals(7L, status.get("kv.puts"), "also a map");
        assertEquals(7, status.size());
    }

    @Test
    void anUnboundSourceIsNeverAskedAgain() {
        StatusSource s = source("gone", Map.of("x", 1));
        node.addSource(s);
        assertTrue(node.status().containsKey("gone.x"));
        node.removeSource(s);
        assertFalse(node.status().containsKey("gone.x"));
    }

    @Test
    void aFailingSourceShowsItsErrorAndTheRestStillShows() {
        node.addSource(new StatusSource() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Map<String, Object> status() {
                throw new IllegalStateException("store closed");
            }
        });
        node.addSource(source("ok", Map.of("v", "multi\nline")));
        NodeStatus status = node.status();
        assertEquals("store closed", status.get("broken.error"));
        assertTrue(status.toString().contains("ok.v = multi\\nline\n"), status.toString());
    }

    @Test
    void uptimeFormat() {
        assertEquals("00:00:00", NodeCommands.formatUptime(999));
        assertEquals("01:00:01", NodeCommands.formatUptime(3_601_000));
        assertEquals("2d 00:00:00", NodeCommands.formatUptime(2 * 86_400_000L));
    }
}

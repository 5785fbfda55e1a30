package earthwo.channels.internal;

import earthwo.api.channels.ChannelInfo;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** All windows of a node together keep at most the configured bytes; the node's oldest messages go first. */
class WindowBytesTest {

    private static final int PAYLOAD = 1_000;
    /** What one message of a one-letter channel counts for. */
    private static final long SIZE = PAYLOAD + 1 + RetentionWindow.MESSAGE_OVERHEAD;

    @Test
    void overTheBoundTheOldestMessagesOfAnyChannelAreEvicted() {
        long bound = 20 * SIZE;
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings().withWindowMaxBytes(bound))) {
            ChannelsComponent node = cluster.node(1);
            for (String channel : new String[] {"a", "b", "c"}) {
                for (int i = 0; i < 10; i++) {
                    node.publish(channel, new byte[PAYLOAD]);
                }
            }
            Map<String, Object> status = node.status();
            long bytes = (Long) status.get("retained.bytes");
            long retained = (Long) status.get("retained");
            long evicted = (Long) status.get("evicted");
            assertTrue(bytes <= bound, bytes + " bytes retained, bound " + bound);
            assertEquals(retained * SIZE, bytes);
            assertEquals(30, retained + evicted);
            assertTrue(evicted >= 10, "evicted " + evicted);

            Map<String, Integer> perChannel = node.list().stream()
                    .collect(Collectors.toMap(ChannelInfo::name, ChannelInfo::retained));
            assertEquals(0, perChannel.get("a"), "the oldest channel's messages went first: " + perChannel);
            assertEquals(10, perChannel.get("c"), "the newest are all kept: " + perChannel);
        }
    }

    @Test
    void theBoundIsASettingWithADefaultAndLimits() {
        assertEquals(64L * 1024 * 1024, ChannelsSettings.defaults().windowMaxBytes);
        assertEquals(1_000L, ChannelsSettings.resolve(Map.of(ChannelsSettings.WINDOW_MAX_BYTES, "1000"), k -> null)
                .windowMaxBytes);
        Function<String, String> refusal = v -> {
            try {
                ChannelsSettings.resolve(Map.of(ChannelsSettings.WINDOW_MAX_BYTES, v), k -> null);
                return "taken";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        };
        assertTrue(refusal.apply("-1").contains(ChannelsSettings.WINDOW_MAX_BYTES), refusal.apply("-1"));
        assertTrue(refusal.apply("lots").contains(ChannelsSettings.WINDOW_MAX_BYTES), refusal.apply("lots"));
    }
}

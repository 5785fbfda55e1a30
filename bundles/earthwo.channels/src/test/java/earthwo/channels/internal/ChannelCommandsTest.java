package earthwo.channels.internal;

import earthwo.api.channels.SubscribeRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** channel:publish and channel:list. */
class ChannelCommandsTest {

    @Test
    void publishSaysHowManyNodesTookItAndListShowsTheFigures() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings())) {
            TestNodes.join(cluster.node(2).subscribe(SubscribeRequest.ofPatterns("news.*"), new Recorder()).ready());
            ChannelCommands commands = new ChannelCommands(cluster.node(1));
            String out = commands.publish("news.eu", "hello");
            assertTrue(out.startsWith("published on news.eu as 1-"), out);
            assertTrue(out.contains("#1, taken by 2 nodes"), out);
            String list = commands.list();
            assertTrue(list.startsWith("news.eu subscribers=0 published=1 received=0 forwarded=1"), list);
            assertEquals(ChannelCommands.NOT_ACTIVE, new ChannelCommands(null).list());
        }
    }
}

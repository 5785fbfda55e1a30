package earthwo.channels.internal;

import earthwo.api.ErrorCode;
import earthwo.api.EarthwoException;
import earthwo.api.channels.SubscribeRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deactivate ends every subscription and stops every thread the component started. */
class LifecycleTest {

    @Test
    void deactivateLeavesNoThreadAndClosesSubscriptions() throws Exception {
        Recorder r = new Recorder();
        TestNodes cluster = new TestNodes(2, TestNodes.settings());
        cluster.node(1).subscribe(SubscribeRequest.ofChannels("a"), r);
        cluster.node(2).subscribe(SubscribeRequest.ofPatterns("**"), new Recorder());
        for (int i = 0; i < 1_000; i++) {
            cluster.node(2).publish("a", new byte[10]);
        }
        assertTrue(channelThreads().size() > 0);
        cluster.close();
        assertEquals(List.of(), channelThreads());
        assertTrue(r.closed.await(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, r.closedWith.get().code());
        EarthwoException e = assertThrows(EarthwoException.class, () -> cluster.node(1).publish("a", new byte[1]));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    private static List<String> channelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("earthwo-channels-")).toList();
    }
}

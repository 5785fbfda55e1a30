package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionLimitTest extends ServerTestSupport {

    @Test
    void connectionsOverTheLimitGetBusyAndTheNodeKeepsServing() throws Exception {
        ServerComponent node = start(settings("earthwo.server.max.connections", "20"));
        List<WireClient> open = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            WireClient c = connect(node);
            assertEquals(0, c.call(Request.ping(i)).status());
            open.add(c);
        }
        for (int i = 0; i < 30; i++) {
            WireClient extra = connect(node);
            Response r = extra.read();
            assertEquals(ErrorCode.BUSY, r.toException().code());
            assertEquals(-1, r.id());
            assertTrue(extra.closedByServer());
        }
        for (WireClient c : open) {
            assertEquals(0, c.call(Request.ping(100)).status());
        }
        open.get(0).close();
        // the slot is released when the server sees the close
        long deadline = System.currentTimeMillis() + 5_000;
        while (node.server().stats().connectionsOpen.get() > 19 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        WireClient again = connect(node);
        assertEquals(0, again.call(Request.ping(1)).status());
        assertEquals(30, node.server().stats().connectionsRejected.sum());
    }
}

package earthwo.server.internal;

import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeliningTest extends ServerTestSupport {

    private final ScheduledExecutorService completer = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stopCompleter() {
        completer.shutdownNow();
    }

    @Test
    void thousandPipelinedRequestsAreAllAnsweredById() throws Exception {
        WireClient c = connect(start());
        pipeline(c, 1000);
    }

    /** Writes complete later and out of order; few may be in flight, so reading pauses and resumes. */
    @Test
    void outOfOrderCompletionsWithBackpressure() throws Exception {
        Random rnd = new Random(1);
        kv.completer = task -> completer.schedule(task, rnd.nextInt(3), TimeUnit.MILLISECONDS);
        WireClient c = connect(start(settings("earthwo.server.max.inflight", "8")));
        pipeline(c, 1000);
    }

    private void pipeline(WireClient c, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            c.send(Request.put(i, Keys.utf8("k" + i), Keys.utf8("v" + i), 0, WriteConcern.DEFAULT));
        }
        c.flush();
        Set<Integer> answered = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Response r = c.read();
            assertFalse(r.isError(), () -> r.toException().getMessage());
            assertTrue(answered.add(r.id()), "answered twice: " + r.id());
        }
        assertEquals(n, answered.size());

        for (int i = 0; i < n; i++) {
            c.send(Request.get(n + i, Keys.utf8("k" + i)));
        }
        c.flush();
        for (int i = 0; i < n; i++) {
            Response r = c.read();
            int k = r.id() - n;
            assertArrayEquals(Keys.utf8("v" + k), r.record().value());
            assertTrue(answered.add(r.id()));
        }
        assertEquals(2 * n, answered.size());
    }
}

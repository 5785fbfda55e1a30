package earthwo.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The server drives the write bursts of {@link earthwo.api.Kv}: writes decoded in one turn of an
 * I/O thread join one burst, which that thread ends after the turn, and only then are they answered.
 */
class CommitBurstTest extends ServerTestSupport {

    /**
     * A node's write bursts as the server sees them: a write made on a thread with an open burst is
     * durable (its future completes) only when that burst ends; elsewhere at once.
     */
    private static final class RecordingBursts implements InMemoryKvDouble.Bursts {
        private final ThreadLocal<List<Runnable>> open = new ThreadLocal<>();
        final AtomicInteger begun = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger writesInBursts = new AtomicInteger();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public boolean begin() {
            if (open.get() != null) {
                return false;
            }
            open.set(new ArrayList<>());
            begun.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return true;
        }

        @Override
        public void end() {
            List<Runnable> completions = open.get();
            if (completions == null) {
                return;
            }
            open.remove();
            ended.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            writesInBursts.addAndGet(completions.size());
            completions.forEach(Runnable::run);
        }

        /** Completes a write at its burst's end, or at once outside a burst. */
        void durable(Runnable completion) {
            List<Runnable> completions = open.get();
            if (completions != null) {
                completions.add(completion);
            } else {
                completion.run();
            }
        }
    }

    private final RecordingBursts bursts = new RecordingBursts();

    private ServerComponent startWithBursts(String offloadData) {
        kv.completer = bursts::durable;
        kv.bursts = bursts;
        return start(settings(ServerSettings.OFFLOAD_DATA, offloadData));
    }

    @Test
    void pipelinedWritesShareBurstsEndedOnTheirIoThreadAndAreAnsweredAfterwards() throws Exception {
        WireClient c = connect(startWithBursts("false"));
        int n = 64;
        for (int i = 0; i < n; i++) {
            c.send(i % 4 == 3 ? Request.delete(i, Keys.utf8("k" + (i - 1)), WriteConcern.DEFAULT)
                    : Request.put(i, Keys.utf8("k" + i), Keys.utf8("v" + i), 0, WriteConcern.DEFAULT));
        }
        c.flush();
        Set<Integer> answered = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Response r = c.read(); // a burst the server never ended would leave these unanswered
            assertFalse(r.isError(), () -> r.toException().getMessage());
            assertTrue(answered.add(r.id()), "answered twice: " + r.id());
        }
        assertEquals(n, bursts.writesInBursts.get(), "every write on the I/O thread joined a burst");
        assertEquals(bursts.begun.get(), bursts.ended.get(), "every burst begun was ended");
        assertTrue(bursts.begun.get() < n, "writes of one turn share a burst: " + bursts.begun.get() + " bursts for " + n);
        assertTrue(bursts.threads.stream().allMatch(t -> t.startsWith(NodeServer.THREAD_PREFIX + "-io")),
                "begun and ended on I/O threads: " + bursts.threads);
    }

    @Test
    void readsOpenNoBurst() throws Exception {
        WireClient c = connect(startWithBursts("false"));
        assertFalse(c.call(Request.put(1, Keys.utf8("a"), Keys.utf8("1"), 0, WriteConcern.DEFAULT)).isError());
        int before = bursts.begun.get();
        for (int i = 0; i < 10; i++) {
            assertEquals("1", Keys.string(c.call(Request.get(2 + i, Keys.utf8("a"))).record().value()));
        }
        assertEquals(before, bursts.begun.get());
    }

    @Test
    void offloadedWritesLeaveTheIoThreadOutOfBursts() throws Exception {
        WireClient c = connect(startWithBursts("true"));
        for (int i = 0; i < 10; i++) {
            assertFalse(c.call(Request.put(i, Keys.utf8("k" + i), Keys.utf8("v"), 0, WriteConcern.DEFAULT)).isError());
        }
        assertEquals(0, bursts.begun.get(), "a blocking-pool thread has no turn that would end a burst");
    }
}

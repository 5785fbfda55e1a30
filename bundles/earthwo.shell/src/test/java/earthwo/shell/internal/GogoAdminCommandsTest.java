package earthwo.shell.internal;

import earthwo.api.Keys;
import earthwo.api.admin.AdminCommands.Result;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end through a real Gogo runtime: {@link CommandProcessorImpl} with {@link ThreadIOImpl}
 * (what the gogo runtime bundle's activator registers), the shell's command objects added the
 * way the runtime adds {@code osgi.command.*} services, and {@link GogoAdminCommands} on top.
 */
class GogoAdminCommandsTest {

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final MapBackedKvTestDouble kv = new MapBackedKvTestDouble(now::get);
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private GogoAdminCommands admin;
    private final TestCommands test = new TestCommands();

    /** Commands that print, block, fail: what real commands can do to an admin call. */
    public static final class TestCommands {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Descriptor("prints a line and returns 42")
        public int hello() {
            System.out.println("hi from hello");
            System.err.println("and a warning");
            return 42;
        }

        @Descriptor("prints n bytes")
        public void spam(@Descriptor("n") int n) {
            System.out.print("x".repeat(n));
        }

        @Descriptor("blocks until interrupted or released")
        public String block() {
            started.countDown();
            try {
                release.await();
                return "released";
            } catch (InterruptedException e) {
                interrupted.countDown();
                return null;
            }
        }

        @Descriptor("fails")
        public void boom() {
            throw new IllegalStateException("it broke");
        }

        @Descriptor("returns a map")
        public Map<String, Object> map() {
            return Map.of("a", 1);
        }
    }

    @BeforeEach
    void start() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        KvCommands kvCommands = new KvCommands(kv, now::get);
        for (String f : new String[] {"put", "get", "del", "scan", "expire", "expireat", "ttl", "persist"}) {
            processor.addCommand("kv", kvCommands, f);
        }
        NodeCommands node = new NodeCommands(() -> new NodeCommands.BundleStats(3, 3), () -> 1_000L);
        processor.addCommand("node", node, "status");
        KvCommands unavailable = new KvCommands(null, now::get);
        processor.addCommand("nokv", unavailable, "get");
        for (String f : new String[] {"hello", "spam", "block", "boom", "map"}) {
            processor.addCommand("test", test, f);
        }
        admin = new GogoAdminCommands(processor, 1024, 5_000, 2, 2, 1000);
    }

    @AfterEach
    void stop() {
        test.release.countDown();
        admin.deactivate();
        processor.stop();
        threadIO.stop();
    }

    @Test
    void putThenGetThroughGogo() {
        Result put = admin.execute("kv:put k v");
        assertTrue(put.ok(), put.output());
        assertEquals(kv.get(Keys.utf8("k")).orElseThrow().version() + "\n", put.output());

        Result get = admin.execute("kv:get k");
        assertTrue(get.ok());
        assertEquals("v\n", get.output());
    }

    @Test
    void absentKeyIsOkWithEmptyOutputButAnEmptyValueIsANewline() {
        Result absent = admin.execute("kv:get missing");
        assertTrue(absent.ok());
        assertEquals("", absent.output());

        assertTrue(admin.execute("kv:put e ''").ok());
        Result empty = admin.execute("kv:get e");
        assertTrue(empty.ok());
        assertEquals("\n", empty.output());
    }

    @Test
    void optionsAndUtf8ThroughGogo() {
        assertTrue(admin.execute("kv:put --ttl 1000 s 'héllo wörld'").ok());
        assertEquals(now.get() + 1000, kv.get(Keys.utf8("s")).orElseThrow().expiresAt());
        assertEquals("héllo wörld\n", admin.execute("kv:get s").output());
        assertEquals("true\n", admin.execute("kv:del s").output());
        assertEquals("false\n", admin.execute("kv:del s").output());
    }

    @Test
    void scanWithLimitAndContinuationThroughGogo() {
        for (int i = 1; i <= 3; i++) {
            admin.execute("kv:put k" + i + " v" + i);
        }
        Result first = admin.execute("kv:scan --limit 2 k");
        assertTrue(first.ok(), first.output());
        assertEquals("k1\tv1\nk2\tv2\n# more: kv:scan --limit 2 --after 'k2' 'k'\n", first.output());
        Result second = admin.execute("kv:scan --limit 2 --after 'k2' 'k'");
        assertEquals("k3\tv3\n", second.output());
    }

    @Test
    void expiryCommandsThroughGogo() {
        assertEquals("-2\n", admin.execute("kv:ttl k").output());
        assertEquals("0\n", admin.execute("kv:expire k 1000").output());
        assertTrue(admin.execute("kv:put --expire-at " + (now.get() + 10_000) + " k v1").ok());
        assertEquals("10000\n", admin.execute("kv:ttl k").output());
        assertTrue(admin.execute("kv:put --keep-ttl k v2").ok());
        assertEquals("k\tv2\t10000\n", admin.execute("kv:scan --with-ttl k").output());
        assertEquals("1\n", admin.execute("kv:expire k 3000").output());
        assertEquals("3000\n", admin.execute("kv:ttl k").output());
        assertEquals("1\n", admin.execute("kv:persist k").output());
        assertEquals("0\n", admin.execute("kv:persist k").output());
        assertEquals("-1\n", admin.execute("kv:ttl k").output());
        assertEquals("1\n", admin.execute("kv:expireat k 0").output());
        assertEquals("", admin.execute("kv:get k").output());
    }

    @Test
    void badExpiryArgumentsFailThroughGogo() {
        assertTrue(admin.execute("kv:put k v").ok());
        Result negative = admin.execute("kv:expire k -5");
        assertFalse(negative.ok());
        assertTrue(negative.output().startsWith("BAD_REQUEST: time to live must be 0 or more"), negative.output());
        Result both = admin.execute("kv:put --ttl 5 --keep-ttl k v");
        assertFalse(both.ok());
        assertTrue(both.output().contains("exclude each other"), both.output());
        Result word = admin.execute("kv:put --expire-at soon k v");
        assertFalse(word.ok());
        assertTrue(word.output().contains("--expire-at needs an epoch time"), word.output());
        assertFalse(admin.execute("kv:expire k soon").ok());
        assertEquals("-1\n", admin.execute("kv:ttl k").output(), "nothing changed");
    }

    @Test
    void nodeStatusThroughGogo() {
        Result r = admin.execute("node:status");
        assertTrue(r.ok());
        assertEquals("node.bundles = 3\nnode.bundles.active = 3\nnode.uptime = 00:00:01\nnode.uptime.ms = 1000\n",
                r.output());
    }

    @Test
    void printedOutputComesBeforeTheReturnedValue() {
        Result r = admin.execute("test:hello");
        assertTrue(r.ok());
        assertEquals("hi from hello\nand a warning\n42\n", r.output());
    }

    @Test
    void otherReturnedValuesAreFormattedLikeTheConsole() {
        Result r = admin.execute("test:map");
        assertEquals("a                   1\n", r.output());
    }

    @Test
    void unknownCommandFails() {
        Result r = admin.execute("nosuch:command");
        assertFalse(r.ok());
        assertEquals("Command not found: nosuch:command\n", r.output());
    }

    @Test
    void kvUnavailableFailsWithAClearMessage() {
        Result r = admin.execute("nokv:get k");
        assertFalse(r.ok());
        assertEquals("UNAVAILABLE: Kv service unavailable\n", r.output());
    }

    @Test
    void aThrowingCommandFailsWithItsMessage() {
        Result r = admin.execute("test:boom");
        assertFalse(r.ok());
        assertEquals("IllegalStateException: it broke\n", r.output());
    }

    @Test
    void emptyAndOversizeCommandLinesAreRefused() {
        assertFalse(admin.execute("  ").ok());
        Result r = admin.execute("kv:get " + "k".repeat(2000));
        assertFalse(r.ok());
        assertTrue(r.output().contains("exceeds the limit of 1000"), r.output());
    }

    @Test
    void outputOverTheLimitIsCutAndFails() {
        Result r = admin.execute("test:spam 5000");
        assertFalse(r.ok());
        assertEquals("x".repeat(1024) + "\noutput exceeds the limit of 1024 bytes; cut there\n", r.output());
        assertTrue(admin.execute("test:spam 1000").ok());
    }

    @Test
    void aCommandPastTheTimeLimitIsInterrupted() throws Exception {
        GogoAdminCommands quick = new GogoAdminCommands(processor, 1024, 300, 1, 1, 1000);
        try {
            long t0 = System.nanoTime();
            Result r = quick.execute("test:block");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(r.ok());
            assertEquals("command timed out after 300 ms\n", r.output());
            assertTrue(tookMs < 3_000, "took " + tookMs + " ms");
            assertTrue(test.interrupted.await(5, TimeUnit.SECONDS), "the command's thread was interrupted");
            assertTrue(quick.execute("kv:get missing").ok(), "the pool is usable again");
        } finally {
            quick.deactivate();
        }
    }

    @Test
    void whenEveryThreadAndQueueSlotIsTakenTheCallIsRefusedAtOnce() throws Exception {
        GogoAdminCommands single = new GogoAdminCommands(processor, 1024, 10_000, 1, 0, 1000);
        try {
            CompletableFuture<Result> blocked = CompletableFuture.supplyAsync(() -> single.execute("test:block"));
            assertTrue(test.started.await(5, TimeUnit.SECONDS));
            Result r = single.execute("kv:get k");
            assertFalse(r.ok());
            assertEquals("busy: too many admin commands running; retry later\n", r.output());
            test.release.countDown();
            assertEquals("released\n", blocked.get(5, TimeUnit.SECONDS).output());
        } finally {
            single.deactivate();
        }
    }

    @Test
    void deactivateLeavesNoThreadsBehind() throws Exception {
        GogoAdminCommands a = new GogoAdminCommands(processor, 1024, 5_000, 2, 2, 1000);
        assertTrue(a.execute("kv:get k").ok());
        a.deactivate();
        admin.deactivate(); // the shared instance too, so no admin pool is left in this JVM
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (adminThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, adminThreads());
        assertFalse(a.execute("kv:get k").ok(), "refused after deactivation");
    }

    private static long adminThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("earthwo-admin-")).count();
    }
}

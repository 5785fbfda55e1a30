package earthwo.it;

import earthwo.api.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's table "Keys that expire", row by row and case by case (a key with an expiry, one
 * without, an absent one), through {@code bin/earthwo} against a node it started; then the bad
 * input the table names, which changes nothing.
 */
class TtlCommandLineTest {

    private static final long HOUR = 3_600_000;

    @TempDir
    static Path data;

    private static NodeProcess node;

    @BeforeAll
    static void start() throws Exception {
        node = new NodeProcess(data).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static NodeProcess.ProcessResult earthwo(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--data";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return node.earthwo(all);
    }

    private static void assertResult(int exit, String output, NodeProcess.ProcessResult r) {
        assertEquals(exit, r.exitCode(), r.output());
        assertEquals(output + "\n", r.output());
    }

    /** Milliseconds left as {@code ttl} prints them. */
    private static long ttl(String key) throws Exception {
        NodeProcess.ProcessResult r = earthwo("ttl", key);
        return Long.parseLong(r.output().trim());
    }

    private static void withExpiry(String key) throws Exception {
        assertEquals(0, earthwo("put", key, "v", "--ttl", String.valueOf(HOUR)).exitCode());
    }

    private static void withoutExpiry(String key) throws Exception {
        assertEquals(0, earthwo("put", key, "v").exitCode());
    }

    @Test
    void putWithTtlAndExpireAtSetTheExpiryAndAPlainPutRemovesIt() throws Exception {
        withExpiry("t:put");
        long left = ttl("t:put");
        assertTrue(left > HOUR - 60_000 && left <= HOUR, "ttl after put --ttl: " + left);
        long at = System.currentTimeMillis() + 2 * HOUR;
        assertEquals(0, earthwo("put", "t:put", "w", "--expire-at", String.valueOf(at)).exitCode());
        left = ttl("t:put");
        assertTrue(left > 2 * HOUR - 60_000 && left <= 2 * HOUR, "ttl after put --expire-at: " + left);
        NodeProcess.ProcessResult past = earthwo("put", "t:put", "x", "--expire-at", String.valueOf(System.currentTimeMillis() - 1000));
        assertEquals(2, past.exitCode(), past.output());
        assertTrue(past.output().contains("BAD_REQUEST"), past.output());
        assertResult(0, "w", earthwo("get", "t:put"));

        assertEquals(0, earthwo("put", "t:put", "plain").exitCode());
        assertResult(0, "-1", earthwo("ttl", "t:put"));
    }

    @Test
    void putKeepTtlKeepsAnExpiryAndAddsNone() throws Exception {
        withExpiry("t:keep");
        assertEquals(0, earthwo("put", "t:keep", "second", "--keep-ttl").exitCode());
        assertTrue(ttl("t:keep") > HOUR - 60_000, "kept the expiry");
        assertResult(0, "second", earthwo("get", "t:keep"));
        withoutExpiry("t:keep-none");
        assertEquals(0, earthwo("put", "t:keep-none", "w", "--keep-ttl").exitCode());
        assertResult(0, "-1", earthwo("ttl", "t:keep-none"));
        assertEquals(0, earthwo("put", "t:keep-new", "w", "--keep-ttl").exitCode());
        assertResult(0, "-1", earthwo("ttl", "t:keep-new"));
        assertResult(0, "w", earthwo("get", "t:keep-new"));
    }

    @Test
    void expireSetsReplacesOrDeletesAndChangesNothingOnAnAbsentKey() throws Exception {
        withExpiry("t:exp");
        assertResult(0, "1", earthwo("expire", "t:exp", "600000"));
        long left = ttl("t:exp");
        assertTrue(left > 540_000 && left <= 600_000, "replaced expiry: " + left);
        withoutExpiry("t:exp-none");
        assertResult(0, "1", earthwo("expire", "t:exp-none", "600000"));
        assertTrue(ttl("t:exp-none") > 540_000);
        assertResult(1, "0", earthwo("expire", "t:exp-absent", "600000"));
        assertResult(1, "-2", earthwo("ttl", "t:exp-absent"));
        assertResult(0, "1", earthwo("expire", "t:exp", "0"));
        assertEquals(1, earthwo("get", "t:exp").exitCode(), "expire 0 deleted the key");
    }

    @Test
    void expireAtInThePastDeletesAndInTheFutureSets() throws Exception {
        withoutExpiry("t:at");
        long at = System.currentTimeMillis() + HOUR;
        assertResult(0, "1", earthwo("expireat", "t:at", String.valueOf(at)));
        long left = ttl("t:at");
        assertTrue(left > HOUR - 60_000 && left <= HOUR, "ttl after expireat: " + left);
        assertResult(0, "1", earthwo("expireat", "t:at", "1"));
        assertEquals(1, earthwo("get", "t:at").exitCode(), "a time in the past deleted the key");
        withExpiry("t:at0");
        assertResult(0, "1", earthwo("expireat", "t:at0", "0"));
        assertEquals(1, earthwo("get", "t:at0").exitCode(), "epoch 0 is in the past too");
        assertResult(1, "0", earthwo("expireat", "t:at-absent", String.valueOf(at)));
    }

    @Test
    void ttlAndPersistAnswerForEachKindOfKey() throws Exception {
        withExpiry("t:p");
        withoutExpiry("t:p-none");
        assertResult(0, "1", earthwo("persist", "t:p"));
        assertResult(0, "-1", earthwo("ttl", "t:p"));
        assertResult(0, "0", earthwo("persist", "t:p-none"));
        assertResult(1, "0", earthwo("persist", "t:p-absent"));
        assertResult(1, "-2", earthwo("ttl", "t:p-absent"));
    }

    @Test
    void anExpiredKeyIsAbsentForEveryCommandAndScanShowsWhatIsLeft() throws Exception {
        assertEquals(0, earthwo("put", "t:short", "v", "--ttl", "1500").exitCode());
        withExpiry("t:scan-long");
        Poll.until("t:short expired", Duration.ofSeconds(30), () -> {
            try {
                return earthwo("get", "t:short").exitCode() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertResult(1, "-2", earthwo("ttl", "t:short"));
        assertResult(1, "0", earthwo("expire", "t:short", "60000"));
        assertResult(1, "0", earthwo("persist", "t:short"));
        NodeProcess.ProcessResult scan = earthwo("scan", "t:s", "--with-ttl");
        assertEquals(0, scan.exitCode(), scan.output());
        String[] lines = scan.output().split("\n");
        assertEquals(1, lines.length, "only the live key is listed: " + scan.output());
        String[] cols = lines[0].split("\t");
        assertEquals("t:scan-long", cols[0]);
        assertTrue(Long.parseLong(cols[2]) > HOUR - 60_000, scan.output());
    }

    @Test
    void badTimesAreRefusedAndChangeNothing() throws Exception {
        withExpiry("t:bad");
        for (String[] args : new String[][] {
                {"expire", "t:bad", "-5"},
                {"expire", "t:bad", "abc"},
                {"expire", "t:bad", "99999999999999999999"},
                {"expire", "t:bad", "253402300799999"},
                {"expireat", "t:bad", "-1"},
                {"expireat", "t:bad", "253402300800000"},
                {"put", "t:bad", "x", "--ttl", "0"},
                {"put", "t:bad", "x", "--ttl", "-1"},
                {"put", "t:bad", "x", "--ttl", "1", "--keep-ttl"},
        }) {
            NodeProcess.ProcessResult r = earthwo(args);
            assertTrue(r.exitCode() == 64 || r.exitCode() == 2, String.join(" ", args) + ": " + r.exitCode() + " " + r.output());
            assertTrue(r.output().contains("earthwo:"), String.join(" ", args) + ": " + r.output());
        }
        assertResult(0, "v", earthwo("get", "t:bad"));
        assertTrue(ttl("t:bad") > HOUR - 120_000, "the expiry is unchanged");
        NodeProcess.ProcessResult longKey = earthwo("expire", "k".repeat(2000), "1000");
        assertEquals(2, longKey.exitCode(), longKey.output());
        assertTrue(longKey.output().contains("TOO_LARGE"), longKey.output());
    }
}

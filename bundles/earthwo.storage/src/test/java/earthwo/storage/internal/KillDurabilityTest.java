package earthwo.storage.internal;

import earthwo.api.storage.ExpiryIndexCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the durability promise of write_no_sync (and sync): a process killed with SIGKILL
 * loses no write whose apply had returned, nor one applied deferred whose {@code durable()}
 * had completed (group commit), nor one whose commit burst had ended (one log write on the
 * writing thread, as an I/O thread of the server does). After recovery every segment's expiry
 * index matches its records: it changes in the records' transactions.
 */
class KillDurabilityTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"WRITE_NO_SYNC, direct", "SYNC, direct", "WRITE_NO_SYNC, deferred", "SYNC, deferred",
            "WRITE_NO_SYNC, burst", "WRITE_NO_SYNC, expiry"})
    void killedProcessLosesNoAcknowledgedWrite(DurabilityMode mode, String how) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), mode.configName(), how)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int lastAcked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lastAcked = Integer.parseInt(line.trim());
                if (lastAcked >= 300) {
                    break;
                }
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no JE close
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(lastAcked >= 300, "child acknowledged only " + lastAcked + " writes");
        try (JeSegmentStore store = StoreFixture.open(dir, 2)) {
            for (int i = 0; i <= lastAcked; i++) {
                String key = "k" + i;
                assertEquals("v" + i, Keys.string(store.read(i % 2, Keys.utf8(key)).orElseThrow(
                        () -> new AssertionError("acknowledged write " + key + " lost (" + mode + ", " + how + ")")).value()));
            }
            long entries = 0;
            for (int s = 0; s < 2; s++) {
                ExpiryIndexCheck check = store.verifyExpiryIndex(s);
                assertTrue(check.consistent(), check.toString());
                assertEquals(check.entries(), store.expiryIndexSize(s));
                entries += check.entries();
            }
            if (how.equals("expiry")) {
                assertTrue(entries >= lastAcked / 3, "the child's records with expiry are indexed: " + entries);
            }
        }
    }
}

package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.EarthwoClients;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The value limit is one setting: raising {@code earthwo.max.value.bytes} raises it on every path
 * a write takes (the server's frame check and the write coordinator's), and the raised limit is
 * still enforced.
 */
class ConfiguredValueLimitTest {

    private static final int RAISED_LIMIT = 4 * 1024 * 1024;

    @TempDir
    Path data;

    @Test
    void aRaisedValueLimitStoresTwoMebibyteValuesAndRefusesLargerOnes() throws Exception {
        byte[] twoMib = new byte[2 * 1024 * 1024];
        new Random(7).nextBytes(twoMib);
        try (NodeProcess node = new NodeProcess(data).start("-Dearthwo.max.value.bytes=" + RAISED_LIMIT);
             KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()))) {
            client.put(Keys.utf8("big"), twoMib);
            Optional<Record> read = client.get(Keys.utf8("big"));
            assertTrue(read.isPresent(), "the 2 MiB value was stored");
            assertArrayEquals(twoMib, read.get().value());

            EarthwoException tooLarge = assertThrows(EarthwoException.class,
                    () -> client.put(Keys.utf8("bigger"), new byte[RAISED_LIMIT + 1]));
            assertEquals(ErrorCode.TOO_LARGE, tooLarge.code(), tooLarge.getMessage());
            assertTrue(tooLarge.getMessage().contains(String.valueOf(RAISED_LIMIT)), tooLarge.getMessage());
            assertTrue(node.isAlive(), "node process died; log:\n" + node.logTail());
        }
    }
}

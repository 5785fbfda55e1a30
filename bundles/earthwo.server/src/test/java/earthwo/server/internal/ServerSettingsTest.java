package earthwo.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.NodeProperties;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the node's secrets come from: never only from its command line. */
class ServerSettingsTest {

    @TempDir
    Path data;

    private Map<String, Object> config(Object... more) {
        Map<String, Object> m = new HashMap<>();
        m.put(NodeProperties.DATA_DIR, data.toString());
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void noSecretByDefault() {
        ServerSettings s = ServerSettings.resolve(config(), k -> null, k -> null);
        assertNull(s.secret);
        assertNull(s.adminSecret);
        assertEquals(300_000, s.idleTimeoutMs);
    }

    @Test
    void secretsFromTheNodesEnvironment() {
        Map<String, String> env = Map.of(NodeProperties.SECRET_ENV, "from-env", NodeProperties.ADMIN_SECRET_ENV, "admin-env");
        ServerSettings s = ServerSettings.resolve(config(), k -> null, env::get);
        assertEquals("from-env", s.secret);
        assertEquals("admin-env", s.adminSecret);
        ServerSettings configured = ServerSettings.resolve(config(NodeProperties.SECRET, "configured"), k -> null, env::get);
        assertEquals("configured", configured.secret, "a configured secret wins");
    }

    @Test
    void dataSecretFromAFile() throws Exception {
        Path file = data.resolve("data.secret");
        Files.writeString(file, "from-file\n");
        ServerSettings s = ServerSettings.resolve(config(NodeProperties.SECRET_FILE, file.toString()), k -> null, k -> null);
        assertEquals("from-file", s.secret);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ServerSettings.resolve(
                config(NodeProperties.SECRET_FILE, data.resolve("absent").toString()), k -> null, k -> null));
        assertTrue(missing.getMessage().contains(NodeProperties.SECRET_FILE), missing.getMessage());
    }
}

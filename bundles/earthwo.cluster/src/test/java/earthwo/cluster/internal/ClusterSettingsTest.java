package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.NodeProperties;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    @Test
    void anyFreePortIsRefusedBecauseTheMapMustNameTheRealOne() {
        for (String zk : new String[] {"", "zk1:2181"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.from(
                    Map.of(NodeProperties.PORT, "0", NodeProperties.ZK_CONNECT, zk), k -> null));
            assertTrue(e.getMessage().contains(NodeProperties.PORT + " must be 1..65535, not 0"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.from(Map.of(NodeProperties.PORT, "65536"), k -> null));
    }

    @Test
    void aFixedPortIsKept() {
        assertEquals(7391, ClusterSettings.from(Map.of(NodeProperties.PORT, "7391"), k -> null).port());
    }

    /** {@code bin/earthwo start} passes this message on when a start is refused; the command-line tests quote it. */
    @Test
    void aCountBelowOneIsRefusedWithTheMessageTheCommandLineShows() {
        for (String key : new String[] {ClusterSettings.REPLICAS, ClusterSettings.MAX_SYNCING, NodeProperties.SEGMENTS}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClusterSettings.from(Map.of(key, "0"), k -> null));
            assertEquals(key + " must be >= 1, not 0", e.getMessage());
        }
    }

    @Test
    void timesOutsideTheirRangeAreRefusedNamingTheSetting() {
        for (String[] bad : new String[][] {{ClusterSettings.GRACE_MS, "-1"}, {ClusterSettings.GRACE_MS, "99999999999"},
                {ClusterSettings.SESSION_TIMEOUT_MS, "0"}, {ClusterSettings.CONNECTION_TIMEOUT_MS, "0"},
                {ClusterSettings.START_TIMEOUT_MS, "0"}, {ClusterSettings.START_TIMEOUT_MS, "soon"},
                {NodeProperties.ZK_PORT, "65536"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClusterSettings.from(Map.of(bad[0], bad[1]), k -> null), bad[0] + "=" + bad[1]);
            assertTrue(e.getMessage().startsWith("setting " + bad[0] + " must be "), e.getMessage());
        }
    }

    /** Resolved as the server bundle resolves it, so both read one file. */
    @Test
    void theClusterSecretFileIsTheDataDirectorysUnlessSet() {
        ClusterSettings defaults = ClusterSettings.from(Map.of(NodeProperties.DATA_DIR, "/var/ew/n1"), k -> null);
        assertEquals(java.nio.file.Path.of("/var/ew/n1", NodeProperties.CLUSTER_SECRET_FILE_NAME), defaults.clusterSecretFile());
        assertTrue(defaults.embeddedZooKeeper());
        ClusterSettings set = ClusterSettings.from(Map.of(NodeProperties.CLUSTER_SECRET_FILE, "conf/../c1.secret",
                NodeProperties.ZK_CONNECT, "zk1:2181"), k -> null);
        assertEquals(java.nio.file.Path.of("c1.secret").toAbsolutePath(), set.clusterSecretFile());
        assertTrue(!set.embeddedZooKeeper());
    }

    @Test
    void theValuesTheDocsAndTestsUseAreAccepted() {
        ClusterSettings defaults = ClusterSettings.from(Map.of(), k -> null);
        assertEquals(60_000, defaults.graceMs());
        assertEquals(10_000, defaults.sessionTimeoutMs());
        assertEquals(5_000, defaults.connectionTimeoutMs());
        assertEquals(15_000, defaults.startTimeoutMs());
        assertEquals(16, defaults.maxSyncing());
        assertEquals(3, defaults.replicas());
        assertNull(defaults.segments());
        for (String grace : new String[] {"0", "3000", "5000", "120000"}) {
            assertEquals(Long.parseLong(grace),
                    ClusterSettings.from(Map.of(ClusterSettings.GRACE_MS, grace), k -> null).graceMs());
        }
        ClusterSettings tuned = ClusterSettings.from(Map.of(ClusterSettings.SESSION_TIMEOUT_MS, "1000",
                ClusterSettings.CONNECTION_TIMEOUT_MS, "1000", ClusterSettings.MAX_SYNCING, "4",
                ClusterSettings.REPLICAS, "1", NodeProperties.SEGMENTS, "32"), k -> null);
        assertEquals(1000, tuned.sessionTimeoutMs());
        assertEquals(1000, tuned.connectionTimeoutMs());
        assertEquals(4, tuned.maxSyncing());
        assertEquals(1, tuned.replicas());
        assertEquals(32, tuned.segments());
    }
}

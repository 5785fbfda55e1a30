package earthwo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}

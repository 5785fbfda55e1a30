package earthwo.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Limits;
import earthwo.api.NodeProperties;
import earthwo.api.WriteConcern;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CoordinatorSettingsTest {

    @Test
    void defaults() {
        CoordinatorSettings s = CoordinatorSettings.resolve(Map.of(), k -> null);
        assertEquals(Limits.MAX_KEY_BYTES, s.maxKeyBytes);
        assertEquals(Limits.MAX_VALUE_BYTES, s.maxValueBytes);
        assertEquals(WriteConcern.QUORUM, s.defaultWriteConcern);
        assertEquals(2000, s.replicaTimeoutMs);
        assertEquals(0, s.clockOffsetMs);
    }

    @Test
    void theValueLimitIsTheNodeWideSettingAlsoFromAFrameworkProperty() {
        CoordinatorSettings s = CoordinatorSettings.resolve(Map.of(),
                k -> k.equals(NodeProperties.MAX_VALUE_BYTES) ? "4194304" : null);
        assertEquals(4 * 1024 * 1024, s.maxValueBytes);
    }

    @Test
    void writeConcernIsReadInEitherCase() {
        assertEquals(WriteConcern.ALL, CoordinatorSettings.resolve(
                Map.of(CoordinatorSettings.DEFAULT_WRITE_CONCERN, "all"), k -> null).defaultWriteConcern);
        assertEquals(WriteConcern.ONE, CoordinatorSettings.resolve(
                Map.of(CoordinatorSettings.DEFAULT_WRITE_CONCERN, "ONE"), k -> null).defaultWriteConcern);
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoordinatorSettings.resolve(
                Map.of(CoordinatorSettings.DEFAULT_WRITE_CONCERN, "default"), k -> null));
        assertTrue(e.getMessage().contains(CoordinatorSettings.DEFAULT_WRITE_CONCERN), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CoordinatorSettings.resolve(
                Map.of(CoordinatorSettings.REPLICA_TIMEOUT, "0"), k -> null));
        assertTrue(e.getMessage().contains(CoordinatorSettings.REPLICA_TIMEOUT), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CoordinatorSettings.resolve(
                Map.of(NodeProperties.MAX_VALUE_BYTES, "lots"), k -> null));
        assertTrue(e.getMessage().contains(NodeProperties.MAX_VALUE_BYTES), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CoordinatorSettings.resolve(
                Map.of(CoordinatorSettings.HINT_REPLAY_INTERVAL, "5000", CoordinatorSettings.HINT_REPLAY_MAX_BACKOFF, "100"),
                k -> null));
        assertTrue(e.getMessage().contains(CoordinatorSettings.HINT_REPLAY_MAX_BACKOFF), e.getMessage());
    }
}

package earthwo.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Node-to-node messaging (provided by the server bundle): sends an opaque peer message to another
 * node of the cluster as a {@code PEER} frame on a pooled connection and completes with the
 * answer's payload. The first byte of a payload is its message type (see {@link PeerHandler}).
 *
 * <p>Failures complete exceptionally with {@link earthwo.api.EarthwoException}: UNAVAILABLE when
 * the node is unknown, unreachable or does not answer within the timeout, or the typed error the
 * remote handler raised.
 */
@ProviderType
public interface PeerLinks {

    CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout);
}

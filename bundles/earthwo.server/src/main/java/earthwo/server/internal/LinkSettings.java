package earthwo.server.internal;

import earthwo.api.NodeProperties;
import earthwo.api.SecretFiles;
import earthwo.api.protocol.Frames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the node-to-node links ({@link PeerLinksComponent}), resolved like
 * {@link ServerSettings} (component configuration of PID {@value ServerSettings#PID}, then
 * framework property, then the default next to each key).
 */
final class LinkSettings {

    /** I/O threads of the links (all peers share them). */
    static final String THREADS = "earthwo.server.links.threads";
    static final String THREADS_DEFAULT = "2";

    /** Bound on opening a connection to a peer (TCP connect plus AUTH), in ms. */
    static final String CONNECT_TIMEOUT = "earthwo.server.links.connect.timeout.ms";
    static final String CONNECT_TIMEOUT_DEFAULT = "2000";

    /** How long a failed connection attempt is remembered; calls meanwhile fail at once, in ms. */
    static final String FAILURE_MEMORY = "earthwo.server.links.failure.memory.ms";
    static final String FAILURE_MEMORY_DEFAULT = "500";

    /** Calls waiting for their answer on one peer connection; more are answered BUSY. */
    static final String MAX_IN_FLIGHT = "earthwo.server.links.max.inflight";
    static final String MAX_IN_FLIGHT_DEFAULT = "16384";

    /** Timeout of a call made with a null timeout, in ms. */
    static final String DEFAULT_TIMEOUT = "earthwo.server.links.timeout.ms";
    static final String DEFAULT_TIMEOUT_DEFAULT = "5000";

    final int threads;
    final int connectTimeoutMs;
    final long failureMemoryMs;
    final int maxInFlight;
    final long defaultTimeoutMs;
    final int maxFrameBytes;
    final long shutdownTimeoutMs;
    /** The cluster secret presented to peers for the peer role. */
    final String clusterSecret;
    /** TLS of the links (every node of a TLS cluster listens with TLS), or null. */
    final Tls tls;

    private LinkSettings(Map<String, ?> c, UnaryOperator<String> f) {
        threads = NodeProperties.getInt(THREADS, c, f, THREADS_DEFAULT, 1, 64);
        connectTimeoutMs = NodeProperties.getInt(CONNECT_TIMEOUT, c, f, CONNECT_TIMEOUT_DEFAULT, 1, 600_000);
        failureMemoryMs = NodeProperties.getInt(FAILURE_MEMORY, c, f, FAILURE_MEMORY_DEFAULT, 0, 600_000);
        maxInFlight = NodeProperties.getInt(MAX_IN_FLIGHT, c, f, MAX_IN_FLIGHT_DEFAULT, 1, 10_000_000);
        defaultTimeoutMs = NodeProperties.getInt(DEFAULT_TIMEOUT, c, f, DEFAULT_TIMEOUT_DEFAULT, 1, 3_600_000);
        maxFrameBytes = ServerSettings.maxFrameBytes(c, f);
        shutdownTimeoutMs = ServerSettings.shutdownTimeoutMs(c, f);
        tls = Tls.resolve(c, f);
        try {
            clusterSecret = SecretFiles.clusterSecret(NodeProperties.clusterSecretFile(c, f),
                    NodeProperties.runsEmbeddedZooKeeper(c, f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster secret: " + e.getMessage(), e);
        }
    }

    /** Resolves and validates every setting and reads the cluster secret (generating it where allowed). */
    static LinkSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return new LinkSettings(config, framework);
    }

    /** Largest payload that fits into one PEER frame: the frame minus header and length field. */
    int maxPayloadBytes() {
        return maxFrameBytes - Frames.HEADER_BYTES - 4;
    }

    @Override
    public String toString() {
        return "threads=" + threads + ", connectTimeout=" + connectTimeoutMs + "ms, failureMemory=" + failureMemoryMs
                + "ms, maxInFlight=" + maxInFlight + ", maxFrame=" + maxFrameBytes;
    }
}

package earthwo.api.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Creates {@link KvClient}s. Registered as a service by the client bundle; plain Java programs
 * use {@code earthwo.client.EarthwoClients} from the client jar instead.
 */
public interface KvClientFactory {

    KvClient connect(Config config);

    /** Client settings: seed addresses ("host:port"), secrets, timeouts, pool size. */
    final class Config {
        private final List<String> seeds;
        private final String secret;
        private final String adminSecret;
        private final Duration requestTimeout;
        private final int maxInFlightPerConnection;
        private final Path tlsCa;
        private final Duration failoverTimeout;

        private Config(List<String> seeds, String secret, String adminSecret, Duration requestTimeout,
                       int maxInFlightPerConnection, Path tlsCa) {
            this(seeds, secret, adminSecret, requestTimeout, maxInFlightPerConnection, tlsCa, Duration.ofSeconds(30));
        }

        private Config(List<String> seeds, String secret, String adminSecret, Duration requestTimeout,
                       int maxInFlightPerConnection, Path tlsCa, Duration failoverTimeout) {
            this.seeds = List.copyOf(seeds);
            this.secret = secret;
            this.adminSecret = adminSecret;
            this.requestTimeout = requestTimeout;
            this.maxInFlightPerConnection = maxInFlightPerConnection;
            this.tlsCa = tlsCa;
            this.failoverTimeout = failoverTimeout;
        }

        public static Config seeds(String... seeds) {
            return new Config(List.of(seeds), null, null, Duration.ofSeconds(5), 1024, null);
        }

        public Config withSecret(String s) {
            return new Config(seeds, s, adminSecret, requestTimeout, maxInFlightPerConnection, tlsCa, failoverTimeout);
        }

        public Config withAdminSecret(String s) {
            return new Config(seeds, secret, s, requestTimeout, maxInFlightPerConnection, tlsCa, failoverTimeout);
        }

        public Config withRequestTimeout(Duration d) {
            return new Config(seeds, secret, adminSecret, d, maxInFlightPerConnection, tlsCa, failoverTimeout);
        }

        public Config withMaxInFlight(int n) {
            return new Config(seeds, secret, adminSecret, requestTimeout, n, tlsCa, failoverTimeout);
        }

        /**
         * Connects with TLS, trusting the certificate authorities in {@code caPemFile} (PEM) and
         * checking that each node's certificate names the address it is reached at.
         */
        public Config withTls(Path caPemFile) {
            return new Config(seeds, secret, adminSecret, requestTimeout, maxInFlightPerConnection, caPemFile, failoverTimeout);
        }

        /**
         * How long a channel subscription whose node failed keeps trying the other nodes before it
         * fails with UNAVAILABLE (default 30 s).
         */
        public Config withFailoverTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("failover timeout must be positive, was " + d);
            }
            return new Config(seeds, secret, adminSecret, requestTimeout, maxInFlightPerConnection, tlsCa, d);
        }

        public Duration failoverTimeout() {
            return failoverTimeout;
        }

        public List<String> seeds() {
            return seeds;
        }

        /** Shared secret for data operations, or null when the node runs without one. */
        public String secret() {
            return secret;
        }

        /** Admin secret for {@link KvClient#execAsync}, or null. */
        public String adminSecret() {
            return adminSecret;
        }

        public Duration requestTimeout() {
            return requestTimeout;
        }

        public int maxInFlightPerConnection() {
            return maxInFlightPerConnection;
        }

        /** The PEM file of the certificate authorities to trust, or null: plain TCP. */
        public Path tlsCa() {
            return tlsCa;
        }
    }
}

package earthwo.server.internal;

import earthwo.api.NodeProperties;
import earthwo.api.SecretFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The secrets of a node, compared in constant time: the data secret (optional), the admin secret
 * and the cluster secret. The admin secret is {@code earthwo.admin.secret} if set, else the
 * content of {@code ${earthwo.data}/admin.secret}, generated when it does not exist. The cluster
 * secret is the content of {@link NodeProperties#clusterSecretFile}.
 */
final class Secrets {

    static final String ADMIN_FILE = earthwo.api.NodeProperties.ADMIN_SECRET_FILE;

    private final byte[] dataDigest;
    private final byte[] adminDigest;
    private final byte[] clusterDigest;

    private Secrets(String data, String admin, String cluster) {
        this.dataDigest = data == null ? null : digest(data);
        this.adminDigest = digest(admin);
        this.clusterDigest = digest(cluster);
    }

    /** Resolves the secrets of the settings, generating the admin (and if allowed the cluster) secret file. */
    static Secrets load(ServerSettings s) throws IOException {
        String admin = s.adminSecret != null ? s.adminSecret : loadOrCreateAdminFile(s.dataDir);
        return new Secrets(s.secret, admin, SecretFiles.clusterSecret(s.clusterSecretFile, s.embeddedZooKeeper));
    }

    /** True when data requests need AUTH role 0 first. */
    boolean dataSecretRequired() {
        return dataDigest != null;
    }

    boolean isDataSecret(String candidate) {
        return dataDigest == null || matches(dataDigest, candidate);
    }

    boolean isAdminSecret(String candidate) {
        return matches(adminDigest, candidate);
    }

    boolean isClusterSecret(String candidate) {
        return matches(clusterDigest, candidate);
    }

    /** Compares digests, so neither the content nor the length of the secret leaks through timing. */
    private static boolean matches(byte[] expectedDigest, String candidate) {
        return candidate != null && MessageDigest.isEqual(expectedDigest, digest(candidate));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Reads the admin secret file, creating it first if it is absent or empty. */
    static String loadOrCreateAdminFile(Path dataDir) throws IOException {
        return SecretFiles.readOrCreate(dataDir.resolve(ADMIN_FILE));
    }
}

package earthwo.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The data secret (optional) and the admin secret of a node, compared in constant time. The admin
 * secret is {@code earthwo.admin.secret} if set, else the content of {@code ${earthwo.data}/admin.secret},
 * which is generated (32 random bytes as hex, owner-only permissions) when it does not exist.
 */
final class Secrets {

    static final String ADMIN_FILE = earthwo.api.NodeProperties.ADMIN_SECRET_FILE;

    private final byte[] dataDigest;
    private final byte[] adminDigest;

    private Secrets(String data, String admin) {
        this.dataDigest = data == null ? null : digest(data);
        this.adminDigest = digest(admin);
    }

    static Secrets of(String dataSecret, String adminSecret) {
        return new Secrets(dataSecret, adminSecret);
    }

    /** Resolves the secrets of the settings, generating the admin secret file if needed. */
    static Secrets load(ServerSettings s) throws IOException {
        String admin = s.adminSecret != null ? s.adminSecret : loadOrCreateAdminFile(s.dataDir);
        return new Secrets(s.secret, admin);
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
        Path file = dataDir.resolve(ADMIN_FILE);
        if (Files.isRegularFile(file)) {
            String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!existing.isEmpty()) {
                return existing;
            }
        }
        Files.createDirectories(dataDir);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        AtomicFiles.replace(ownerOnlyTempFile(dataDir), file, secret + "\n");
        return secret;
    }

    private static Path ownerOnlyTempFile(Path dir) throws IOException {
        try {
            return Files.createTempFile(dir, ADMIN_FILE + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Path tmp = Files.createTempFile(dir, ADMIN_FILE + ".", ".tmp");
            tmp.toFile().setReadable(false, false);
            tmp.toFile().setReadable(true, true);
            tmp.toFile().setWritable(false, false);
            tmp.toFile().setWritable(true, true);
            return tmp;
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create a temporary file for " + ADMIN_FILE + " in " + dir, e);
        }
    }
}

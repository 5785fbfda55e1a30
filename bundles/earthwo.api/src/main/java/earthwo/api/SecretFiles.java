package earthwo.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Secrets kept in files their owner alone may read (mode 600). A generated secret is 32 random
 * bytes as hex. Creation is atomic and never replaces a file: several bundles of one node may
 * each find the file missing at start, in any order, and all end up with the one secret that was
 * written first.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /** The file's secret (trimmed), or null when the file is absent or empty. */
    public static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? null : s;
    }

    /** The file's secret, generating the file first when it is absent or empty. */
    public static String readOrCreate(Path file) throws IOException {
        String existing = read(file);
        if (existing != null) {
            return existing;
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        Path tmp = ownerOnlyTempFile(dir, file.getFileName().toString());
        try {
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
            if (Files.exists(file)) {
                Files.delete(file); // empty: replaced by the new secret
            }
            Files.createLink(file, tmp); // fails when another bundle created it meanwhile
            return secret;
        } catch (FileAlreadyExistsException createdMeanwhile) {
            String other = read(file);
            if (other == null) {
                throw new IOException("secret file " + file + " appeared empty while this node created it");
            }
            return other;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path ownerOnlyTempFile(Path dir, String name) throws IOException {
        try {
            return Files.createTempFile(dir, name + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Path tmp = Files.createTempFile(dir, name + ".", ".tmp");
            tmp.toFile().setReadable(false, false);
            tmp.toFile().setReadable(true, true);
            tmp.toFile().setWritable(false, false);
            tmp.toFile().setWritable(true, true);
            return tmp;
        }
    }

    /**
     * The cluster secret in {@code file} ({@link NodeProperties#clusterSecretFile}). A node that
     * runs its own embedded ZooKeeper starts a cluster of its own and generates it when absent; a
     * node that joins an external ZooKeeper cannot know the others' secret and is refused.
     *
     * @throws IllegalArgumentException when the file is absent and may not be generated, naming it
     */
    public static String clusterSecret(Path file, boolean mayGenerate) throws IOException {
        String secret = mayGenerate ? readOrCreate(file) : read(file);
        if (secret == null) {
            throw new IllegalArgumentException("no cluster secret in " + file + ": every node of a cluster that joins an"
                    + " external ZooKeeper needs the same one. Copy the file of a node of the cluster there (or set "
                    + NodeProperties.CLUSTER_SECRET_FILE + "); a new cluster gets one from: bin/earthwo secret FILE");
        }
        return secret;
    }
}

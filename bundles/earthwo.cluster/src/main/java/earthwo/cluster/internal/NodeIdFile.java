package earthwo.cluster.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/** The node id: a positive int generated once and kept in {@code <data>/node.id}. */
final class NodeIdFile {

    static final String FILE = "node.id";

    private NodeIdFile() {
    }

    static int loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            try {
                int id = Integer.parseInt(text);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IOException(file + " must hold a positive integer node id, not '" + text + "'");
        }
        Files.createDirectories(dataDir);
        int id = 1 + new SecureRandom().nextInt(Integer.MAX_VALUE - 1);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return id;
    }
}

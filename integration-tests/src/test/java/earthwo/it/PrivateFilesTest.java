package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's secrets stay off its command line, and its data directory, store, secrets and log are
 * its owner's only.
 */
class PrivateFilesTest {

    private static final String SECRET = "s3cret-of-the-test";

    @Test
    void secretsAreNotOnTheCommandLineAndFilesAreTheOwnersOnly(@TempDir Path parent) throws Exception {
        Path data = parent.resolve("node");
        try (NodeProcess node = new NodeProcess(data, NodeProcess.freePort()).start("-Dearthwo.secret=" + SECRET)) {
            long pid = Long.parseLong(Files.readString(data.resolve("earthwo.pid")).trim());
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
            assertFalse(cmdline.contains(SECRET), "the secret is not on the node's command line");
            try (RawConnection c = new RawConnection(node.address())) {
                assertEquals(ErrorCode.AUTH, c.call(Request.get(1, Keys.utf8("k"))).toException().code(),
                        "the node requires the secret it got through its environment");
                assertEquals(0, c.call(Request.auth(2, Frames.ROLE_DATA, SECRET)).status());
                assertTrue(c.call(Request.get(3, Keys.utf8("k"))).isNotFound());
            }

            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE), Files.getPosixFilePermissions(data), "data directory 700");
            List<String> open = new ArrayList<>();
            try (Stream<Path> all = Files.walk(data)) {
                all.filter(p -> !p.equals(data)).forEach(p -> {
                    try {
                        for (PosixFilePermission perm : Files.getPosixFilePermissions(p)) {
                            if (perm.name().startsWith("GROUP") || perm.name().startsWith("OTHERS")) {
                                open.add(data.relativize(p) + " " + perm);
                            }
                        }
                    } catch (java.io.IOException gone) {
                        // removed while walking (a JE log file being cleaned)
                    }
                });
            }
            assertEquals(List.of(), open, "no file of the node is readable by others");
            assertTrue(Files.exists(data.resolve("earthwo.log")) && Files.exists(data.resolve("admin.secret"))
                    && Files.exists(data.resolve("cluster.secret")), "the files checked exist");
        }
    }
}

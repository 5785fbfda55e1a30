package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/earthwo start} says "started" only for a node that serves, and otherwise exits
 * non-zero with the cause, leaving no process behind.
 */
class StartTruthTest {

    @Test
    void aSecondNodeOnADataDirectoryInUseIsRefusedEvenWithoutPidFile(@TempDir Path data) throws Exception {
        try (NodeProcess first = new NodeProcess(data).start()) {
            Path pidFile = data.resolve("earthwo.pid");
            String pid = Files.readString(pidFile);
            Files.delete(pidFile);
            try {
                NodeProcess second = new NodeProcess(data, NodeProcess.freePort());
                NodeProcess.ProcessResult r = second.earthwo("start", "--data", data.toString(), "--port",
                        String.valueOf(second.port()));
                assertEquals(1, r.exitCode(), r.output());
                assertTrue(r.output().contains("in use"), r.output());
                assertTrue(first.accepts(), "the first node still serves");
                assertEquals(first.port(), first.address().getPort(), "its endpoint file is untouched");
            } finally {
                Files.writeString(pidFile, pid); // so that close() finds the first node and stops it
            }
        }
    }

    @Test
    void aTakenPortFailsTheStartWithTheCause(@TempDir Path a, @TempDir Path b) throws Exception {
        try (NodeProcess first = new NodeProcess(a).start()) {
            NodeProcess second = new NodeProcess(b, first.port());
            try {
                NodeProcess.ProcessResult r = second.earthwo("start", "--data", b.toString(), "--port",
                        String.valueOf(first.port()));
                assertEquals(1, r.exitCode(), r.output());
                assertTrue(r.output().contains("earthwo.server failed to start") && r.output().contains(
                        String.valueOf(first.port())), r.output());
                assertFalse(second.isAlive(), "nothing left running");
            } finally {
                second.close();
            }
        }
    }

    @Test
    void aStoreThatCannotOpenFailsTheStartWithTheCause(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("store"), "a file where the store directory belongs");
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        try {
            NodeProcess.ProcessResult r = node.earthwo("start", "--data", data.toString(), "--port",
                    String.valueOf(node.port()));
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains("earthwo.storage failed to start"), r.output());
            assertFalse(node.isAlive(), "nothing left running");
            assertFalse(Files.exists(data.resolve("endpoint")), "no endpoint: the node never served");
        } finally {
            node.close();
        }
    }

    @Test
    void aWildcardListenerNeedsAnAdvertisedAddress(@TempDir Path data) throws Exception {
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        try {
            NodeProcess.ProcessResult r = node.earthwo("start", "--data", data.toString(), "--port",
                    String.valueOf(node.port()), "--host", "0.0.0.0");
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains("earthwo.advertise"), r.output());

            node.start("--host", "0.0.0.0", "--advertise", "127.0.0.1");
            String log = Files.readString(data.resolve("earthwo.log"));
            assertTrue(log.contains("with no data secret"), "warns that every client may read and write: " + node.logTail());
        } finally {
            node.close();
        }
    }
}

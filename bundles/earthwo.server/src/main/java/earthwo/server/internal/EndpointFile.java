package earthwo.server.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ${earthwo.data}/endpoint}: the {@code host:port} the server is bound to, one line, written
 * atomically (temporary file + rename) after binding and deleted when the server stops.
 * {@code bin/earthwo} and the CLI read it to find the node.
 */
final class EndpointFile {

    private final Path file;

    EndpointFile(Path dataDir) {
        this.file = dataDir.resolve(ServerSettings.ENDPOINT_FILE);
    }

    Path path() {
        return file;
    }

    /** {@code host:port} of a bound address; IPv6 hosts in brackets. */
    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (a.getAddress() instanceof Inet6Address) {
            host = "[" + host + "]";
        }
        return host + ":" + a.getPort();
    }

    void write(String endpoint) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ServerSettings.ENDPOINT_FILE + ".", ".tmp");
        AtomicFiles.replace(tmp, file, endpoint + "\n");
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}

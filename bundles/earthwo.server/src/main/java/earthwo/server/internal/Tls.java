package earthwo.server.internal;

import earthwo.api.NodeProperties;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * TLS of one node ({@value NodeProperties#TLS_CERT}, {@value NodeProperties#TLS_KEY},
 * {@value NodeProperties#TLS_CA}): the listener presents the node's certificate to every
 * connection, and the links to other nodes check theirs against the certificate authorities,
 * including that it names the address the link connects to. JDK provider: nothing native.
 */
final class Tls {

    private final SslContext server;
    private final SslContext client;

    private Tls(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /** The node's TLS, or null when none is configured; a half or unreadable configuration is refused. */
    static Tls resolve(Map<String, ?> c, UnaryOperator<String> f) {
        Path cert = file(NodeProperties.TLS_CERT, c, f);
        Path key = file(NodeProperties.TLS_KEY, c, f);
        Path ca = file(NodeProperties.TLS_CA, c, f);
        if (cert == null && key == null && ca == null) {
            return null;
        }
        if (cert == null || key == null || ca == null) {
            throw new IllegalArgumentException("settings " + NodeProperties.TLS_CERT + ", " + NodeProperties.TLS_KEY
                    + " and " + NodeProperties.TLS_CA + " go together: set all three (the node's certificate, its key,"
                    + " and the authorities it trusts for other nodes) or none");
        }
        try {
            SslContext server = SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(SslProvider.JDK).build();
            SslContext client = SslContextBuilder.forClient().trustManager(ca.toFile()).sslProvider(SslProvider.JDK).build();
            return new Tls(server, client);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS settings: cannot use " + cert + ", " + key + " and " + ca + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path file(String key, Map<String, ?> c, UnaryOperator<String> f) {
        String v = NodeProperties.get(key, c, f, "").trim();
        if (v.isEmpty()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException("setting " + key + ": cannot read " + p);
        }
        return p;
    }

    /** The handler for an accepted connection. */
    SslHandler serverHandler(ByteBufAllocator alloc) {
        return server.newHandler(alloc);
    }

    /** The handler for a link to another node at host:port, checking its certificate names that host. */
    SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
        SSLEngine engine = client.newEngine(alloc, host, port);
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return new SslHandler(engine);
    }
}

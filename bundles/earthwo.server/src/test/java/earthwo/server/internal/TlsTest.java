package earthwo.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.NodeProperties;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.protocol.Request;
import earthwo.api.testing.TestCertificates;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener and the links between nodes over TLS, with certificates from a test authority. */
class TlsTest extends PeerLinksTestSupport {

    @TempDir
    Path certs;

    private Object[] tls(TestCertificates.NodeFiles f) {
        return new Object[] {NodeProperties.TLS_CERT, f.cert().toString(), NodeProperties.TLS_KEY, f.key().toString(),
                NodeProperties.TLS_CA, f.ca().toString()};
    }

    @Test
    void linksBetweenTlsNodesWorkAndPlainClientsAreNotServed() throws Exception {
        TestCertificates ca = TestCertificates.authority(certs, "test-ca");
        ServerComponent b = server(dataB, 0, "B", tls(ca.node("b")));
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view, tls(ca.node("a")));
        assertEquals("B:OVER-TLS", text(await(l.call(2, bytes(1, "over-tls"), java.time.Duration.ofSeconds(10)))));

        WireClient plain = new WireClient(b.server().address());
        clients.add(plain);
        plain.send(Request.ping(1));
        plain.flush();
        assertTrue(plain.closedByServer(), "a plain-text client gets no answer, only a closed connection");
    }

    @Test
    void aLinkRefusesANodeWhoseCertificateItsAuthoritiesDidNotSign() throws Exception {
        TestCertificates ours = TestCertificates.authority(certs.resolve("ours"), "ours");
        TestCertificates theirs = TestCertificates.authority(certs.resolve("theirs"), "theirs");
        ServerComponent b = server(dataB, 0, "B", tls(theirs.node("b")));
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view, tls(ours.node("a")));
        EarthwoException e = assertThrows(EarthwoException.class,
                () -> await(l.call(2, bytes(1, "x"), java.time.Duration.ofSeconds(10))));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void halfATlsConfigurationIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tls.resolve(Map.of(NodeProperties.TLS_CERT, certs.resolve("x.pem").toString()), k -> null));
        assertTrue(e.getMessage().contains(NodeProperties.TLS_CERT), e.getMessage());
    }
}

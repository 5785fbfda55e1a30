package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * TLS of a client: trusts the certificate authorities of one PEM file and checks that each node's
 * certificate names the address the client connects to.
 */
final class ClientTls {

    private final SSLContext context;

    private ClientTls(SSLContext context) {
        this.context = context;
    }

    /** The client's TLS for the authorities in {@code caPemFile}; BAD_REQUEST when the file is no such thing. */
    static ClientTls trusting(Path caPemFile) {
        try (InputStream in = Files.newInputStream(caPemFile)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "no certificate in " + caPemFile);
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                trust.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return new ClientTls(ctx);
        } catch (IOException | GeneralSecurityException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "cannot read the certificate authorities in " + caPemFile
                    + ": " + e.getMessage(), e);
        }
    }

    /** Wraps a connected socket and completes the handshake; closing the result closes {@code plain}. */
    Socket wrap(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        return ssl;
    }
}

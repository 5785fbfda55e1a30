package earthwo.api.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made with the JDK's keytool: a certificate authority and node
 * certificates it signed for 127.0.0.1 and localhost, written as the PEM files a node is given
 * ({@code earthwo.tls.cert}, {@code earthwo.tls.key}, {@code earthwo.tls.ca}).
 */
public final class TestCertificates {

    private static final String PASSWORD = "test-only";

    /** The PEM files of one node, and of the authority that signed its certificate. */
    public record NodeFiles(Path cert, Path key, Path ca) {
    }

    private final Path dir;
    private final Path caStore;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
    }

    /** A new certificate authority in {@code dir}, its certificate in {@code ca.pem}. */
    public static TestCertificates authority(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir);
        c.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", c.caStore.toString());
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", c.caStore.toString(), "-file", c.ca().toString());
        return c;
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** A node certificate for 127.0.0.1 and localhost, signed by this authority. */
    public NodeFiles node(String name) throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve(name + ".p12");
        Path request = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", store.toString());
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(),
                "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", "san=ip:127.0.0.1,dns:localhost",
                "-ext", "eku=serverAuth,clientAuth");
        Files.writeString(signed, Files.readString(signed) + Files.readString(ca())); // the chain, node first
        Path key = dir.resolve(name + ".key");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key k = ks.getKey(name, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, pem);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return new NodeFiles(signed, key, ca());
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}

package earthwo.hooks.webhook.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC key of a webhook. It only signs: nothing reads the key back out, and every rendering
 * of this object (toString, settings, status, command output) says "set", never the key.
 */
final class Secret {

    static final String HEADER_PREFIX = "sha256=";
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] key;

    Secret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret must not be empty");
        }
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The value of the signature header: {@code sha256=} and the hex HMAC-SHA256 of exactly {@code body}. */
    String sign(byte[] body) {
        try {
            // A Mac per call: delivers of different segments may sign at the same time.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return HEADER_PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "set";
    }
}

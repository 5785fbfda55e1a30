package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

/**
 * What a cluster document may be called and hold (see {@link earthwo.api.cluster.ClusterDocuments}).
 * A name is both the last part of a znode path and a file name in the data directory, so the
 * characters are few and {@code .} and {@code ..} (which ZooKeeper refuses as path parts) are out.
 */
final class DocumentRules {

    static final int MAX_NAME_LENGTH = 64;
    /** Far below ZooKeeper's 1 MB limit per znode: a document is a setting, not data. */
    static final int MAX_CONTENT_BYTES = 256 * 1024;

    private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1," + MAX_NAME_LENGTH + "}");

    private DocumentRules() {
    }

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** The name, or BAD_REQUEST saying what a name must be. */
    static String checkName(String name) {
        if (!isValidName(name)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a cluster document's name must be 1 to "
                    + MAX_NAME_LENGTH + " characters of a-z 0-9 . _ - (not . or ..), not " + quoted(name));
        }
        return name;
    }

    /** The content in UTF-8, or BAD_REQUEST when it is over the limit. */
    static byte[] encodeContent(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_CONTENT_BYTES) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "cluster document " + name + ": " + bytes.length
                    + " bytes exceed the limit of " + MAX_CONTENT_BYTES + " bytes (UTF-8)");
        }
        return bytes;
    }

    private static String quoted(String name) {
        if (name == null) {
            return "null";
        }
        // a caller's mistake may be long or odd: show enough to recognise it
        String shown = name.length() > MAX_NAME_LENGTH + 8 ? name.substring(0, MAX_NAME_LENGTH) + "…" : name;
        return "'" + shown + "' (" + name.length() + " characters)";
    }
}

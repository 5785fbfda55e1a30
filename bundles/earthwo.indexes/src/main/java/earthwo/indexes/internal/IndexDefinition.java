package earthwo.indexes.internal;

import earthwo.api.indexes.IndexType;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * An index as the cluster defines it: a name, the id that its entries are stored under (never
 * reused, so a re-created name starts clean while the old entries are removed), the extractor
 * spec, the type of its values, and when it was created.
 */
record IndexDefinition(int id, String name, String extractor, IndexType type, long createdAt) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** The 4 bytes every entry of the index starts with: its id, big-endian. */
    byte[] prefix() {
        return prefix(id);
    }

    static byte[] prefix(int id) {
        return ByteBuffer.allocate(4).putInt(id).array();
    }
}

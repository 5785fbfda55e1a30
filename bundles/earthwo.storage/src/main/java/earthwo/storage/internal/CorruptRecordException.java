package earthwo.storage.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;

/** Stored data that is not a valid encoded record; names the key and what is wrong. */
final class CorruptRecordException extends EarthwoException {

    private static final long serialVersionUID = 1L;

    CorruptRecordException(byte[] key, String problem) {
        super(ErrorCode.INTERNAL, "corrupt stored record for key '" + Keys.printable(key) + "': " + problem);
    }
}

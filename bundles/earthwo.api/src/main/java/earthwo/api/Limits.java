package earthwo.api;

/** Default size limits (DESIGN §3, §8). Nodes may be configured with other values. */
public final class Limits {

    public static final int MAX_KEY_BYTES = 1024;
    public static final int MAX_VALUE_BYTES = 1024 * 1024;
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    public static final int MAX_SCAN_LIMIT = 10_000;

    private Limits() {
    }

    public static void checkKey(byte[] key, int maxKeyBytes) {
        if (key == null || key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
        if (key.length > maxKeyBytes) {
            throw new EarthwoException(ErrorCode.TOO_LARGE,
                    "key of " + key.length + " bytes exceeds the limit of " + maxKeyBytes);
        }
    }

    public static void checkValue(byte[] value, int maxValueBytes) {
        if (value == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "value must not be null");
        }
        if (value.length > maxValueBytes) {
            throw new EarthwoException(ErrorCode.TOO_LARGE,
                    "value of " + value.length + " bytes exceeds the limit of " + maxValueBytes);
        }
    }
}

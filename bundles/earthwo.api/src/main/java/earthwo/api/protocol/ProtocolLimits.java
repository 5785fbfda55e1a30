package earthwo.api.protocol;

import earthwo.api.Limits;

/** Size limits a decoder enforces. */
public final class ProtocolLimits {

    public static final ProtocolLimits DEFAULT =
            new ProtocolLimits(Limits.MAX_KEY_BYTES, Limits.MAX_VALUE_BYTES, Frames.DEFAULT_MAX_FRAME);

    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final int maxFrameBytes;

    public ProtocolLimits(int maxKeyBytes, int maxValueBytes, int maxFrameBytes) {
        this.maxKeyBytes = maxKeyBytes;
        this.maxValueBytes = maxValueBytes;
        this.maxFrameBytes = maxFrameBytes;
    }

    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** Bound on the bytes after a frame's length prefix. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }
}

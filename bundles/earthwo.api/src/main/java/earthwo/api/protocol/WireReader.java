package earthwo.api.protocol;

import earthwo.api.ErrorCode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bounds-checked reads of protocol fields; any overrun is a BAD_REQUEST, never an exception leak. */
final class WireReader {

    private final ByteBuffer buf;
    private final int requestId;

    WireReader(ByteBuffer buf, int requestId) {
        this.buf = buf;
        this.requestId = requestId;
    }

    int u8() {
        need(1);
        return buf.get() & 0xff;
    }

    int i32() {
        need(4);
        return buf.getInt();
    }

    long i64() {
        need(8);
        return buf.getLong();
    }

    byte[] bytes(int max, String field) {
        int len = i32();
        if (len < 0) {
            throw bad("negative length " + len + " of " + field);
        }
        if (len > max) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    field + " of " + len + " bytes exceeds the limit of " + max, requestId);
        }
        need(len);
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }

    String string(int max, String field) {
        return new String(bytes(max, field), StandardCharsets.UTF_8);
    }

    /**
     * A string that must be well-formed UTF-8: where the text is compared or looked up (an index
     * name, a query's value), a silently replaced byte would change what is asked.
     */
    String strictString(int max, String field) {
        byte[] b = bytes(max, field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw bad(field + " is not valid UTF-8");
        }
    }

    /** A flag byte: 0 or 1. Other values are BAD_REQUEST, which keeps them free for a later meaning. */
    boolean flag(String field) {
        int b = u8();
        if (b > 1) {
            throw bad(field + " must be 0 or 1, was " + b);
        }
        return b == 1;
    }

    /** True if bytes remain (an optional trailing section follows). */
    boolean hasMore() {
        return buf.hasRemaining();
    }

    void end() {
        if (buf.hasRemaining()) {
            throw bad(buf.remaining() + " unexpected trailing bytes");
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw bad("truncated frame: needed " + n + " more bytes, had " + buf.remaining());
        }
    }

    ProtocolException bad(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, requestId);
    }

    /** A field that decoded but was refused with {@code code} (a message without the code's prefix). */
    ProtocolException refused(ErrorCode code, String message) {
        return new ProtocolException(code, message, requestId);
    }
}

package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PUBLISH, SUBSCRIBE, UNSUBSCRIBE (0x17–0x19) and the pushed frames on the wire: fields, bounds, malformed frames. */
class ChannelProtocolTest {

    private static ByteBuffer body(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(frame.length - 4, b.getInt(), "length prefix counts the bytes after it");
        return b.slice();
    }

    private static Request decode(Request r) {
        return Request.decode(body(r.encode()), ProtocolLimits.DEFAULT);
    }

    @Test
    void publishCarriesChannelAndMessage() {
        Request r = decode(Request.publish(9, "orders.eu", Keys.utf8("hello")));
        assertEquals(Opcode.PUBLISH, r.opcode());
        assertEquals(9, r.id());
        assertEquals("orders.eu", r.text());
        assertArrayEquals(Keys.utf8("hello"), r.value());

        PublishResult p = new PublishResult(3, 1, "7-00000000000000ff", 42);
        assertEquals(p, Response.decode(body(Response.published(9, p).encode()), Opcode.PUBLISH).publishResult());
    }

    @Test
    void aMessageOverTheValueLimitIsTooLargeAndKeepsTheConnection() {
        ProtocolLimits small = new ProtocolLimits(1024, 10, Frames.DEFAULT_MAX_FRAME);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Request.decode(body(Request.publish(4, "c", new byte[11]).encode()), small));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(4, e.requestId());
    }

    @Test
    void subscribeCarriesNamesPatternsBufferAndResumePoint() {
        ResumePoint point = new ResumePoint(Map.of(new StreamKey("a", "1-00aa"), 17L, new StreamKey("b.c", "2-00bb"), 0L),
                1_700_000_000_123L);
        SubscribeRequest s = SubscribeRequest.ofChannels("a", "b.c").withPatterns(List.of("orders.*", "**"))
                .withBufferSize(500).resumingFrom(point);
        Request r = decode(Request.subscribe(11, s));
        assertEquals(Opcode.SUBSCRIBE, r.opcode());
        SubscribeRequest back = r.subscription();
        assertEquals(s.channels(), back.channels());
        assertEquals(s.patterns(), back.patterns());
        assertEquals(500, back.bufferSize());
        assertEquals(point, back.resumePoint().orElseThrow());
        assertTrue(back.connection().isEmpty(), "the connection key is the node's, never sent");

        SubscribeRequest plain = decode(Request.subscribe(12, SubscribeRequest.ofPatterns("x.*"))).subscription();
        assertTrue(plain.resumePoint().isEmpty());
        assertEquals(0, plain.bufferSize());

        Response.Subscribed answer = new Response.Subscribed(5, 1_700_000_000_999L);
        assertEquals(answer, Response.decode(body(Response.subscribed(11, answer).encode()), Opcode.SUBSCRIBE).subscribed());
    }

    @Test
    void unsubscribeNamesTheSubscribeId() {
        Request r = decode(Request.unsubscribe(20, 11));
        assertEquals(Opcode.UNSUBSCRIBE, r.opcode());
        assertEquals(11, r.subscriptionId());
        assertTrue(Response.decode(body(Response.deleted(20, true).encode()), Opcode.UNSUBSCRIBE).existed());
    }

    @Test
    void tooManyNamesAreRefusedBeforeTheyAreRead() {
        String[] names = new String[SubscribeRequest.MAX_TOPICS + 1];
        Arrays.fill(names, "c");
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(Request.subscribe(3, SubscribeRequest.ofChannels(names))));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
    }

    @Test
    void badNamesDecodeAndAreRefusedWhereServed() {
        // The layout is fine: the node answers BAD_REQUEST and keeps the connection.
        SubscribeRequest s = decode(Request.subscribe(3, SubscribeRequest.ofChannels("has space"))).subscription();
        EarthwoException e = assertThrows(EarthwoException.class, s::check);
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void truncatedAndTrailingBytesAreBadRequests() {
        byte[] frame = Request.subscribe(3, SubscribeRequest.ofChannels("abc")).encode();
        ByteBuffer cut = body(frame);
        cut.limit(cut.limit() - 1);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> Request.decode(cut, ProtocolLimits.DEFAULT)).code());
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);
        ByteBuffer.wrap(longer).putInt(longer.length - 4);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> Request.decode(body(longer), ProtocolLimits.DEFAULT)).code());
    }

    @Test
    void pushedFramesRoundTripUnderTheSubscribeId() {
        ChannelMessage m = new ChannelMessage("orders.eu", Keys.utf8("payload"), "3-0123456789abcdef", 99, 1_700_000_000_001L);
        byte[] frame = PushFrames.message(11, m);
        ByteBuffer b = body(frame);
        assertTrue(PushFrames.isPush(b.get(0) & 0xff));
        assertEquals(11, b.getInt(1));
        ChannelMessage back = (ChannelMessage) PushFrames.decode(b);
        assertEquals(m.channel(), back.channel());
        assertArrayEquals(m.payload(), back.payload());
        assertEquals(m.publisherId(), back.publisherId());
        assertEquals(99, back.sequence());
        assertEquals(m.publishedAt(), back.publishedAt());

        Gap g = new Gap("orders.eu", "3-0123456789abcdef", 5, 80);
        assertEquals(g, PushFrames.decode(body(PushFrames.gap(11, g))));

        PushFrames.Ended slow = (PushFrames.Ended) PushFrames.decode(body(PushFrames.ended(11, ErrorCode.SLOW_CONSUMER, "buffer full")));
        assertEquals(ErrorCode.SLOW_CONSUMER, slow.code());
        assertEquals("buffer full", slow.message());
        assertNull(((PushFrames.Ended) PushFrames.decode(body(PushFrames.ended(11, null, "unsubscribed")))).code());
    }

    @Test
    void answersAndErrorsAreNotPushedFrames() {
        assertFalse(PushFrames.isPush(Frames.STATUS_OK));
        assertFalse(PushFrames.isPush(Frames.STATUS_NOT_FOUND));
        for (ErrorCode c : ErrorCode.values()) {
            assertFalse(PushFrames.isPush(c.wireCode()), c.name());
        }
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> PushFrames.decode(body(Response.ok(1).encode()))).code());
    }
}

package earthwo.channels.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON a mirror publishes per key event, read back with a real JSON parser. */
class MirrorMessageTest {

    static final Version VERSION = Version.of(1_700_000_000_000L, 7, 3);

    static KeyEvent event(EventType type, byte[] key, long expiresAt, byte[] value, boolean truncated) {
        return KeyEvent.change(type, key, VERSION, 12, expiresAt, value, truncated);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject parse(byte[] message) {
        return JsonParser.parseString(new String(message, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void aChangeCarriesItsIdTypeKeyVersionAndSegment() {
        KeyEvent e = event(EventType.CREATED, utf8("user:1"), 0, utf8("v"), false);
        JsonObject o = parse(new MirrorMessage("orders", false, 4096).encode(e));
        assertEquals(Set.of("mirror", "id", "type", "key", "version", "segment"), o.keySet());
        assertEquals("orders", o.get("mirror").getAsString());
        assertEquals(e.id(), o.get("id").getAsString());
        assertEquals("CREATED", o.get("type").getAsString());
        assertEquals("user:1", o.get("key").getAsString());
        assertEquals(Long.toUnsignedString(VERSION.timestamp()) + ".3", o.get("version").getAsString());
        assertEquals(12, o.get("segment").getAsInt());
    }

    @Test
    void expiresAtOnlyWhenTheKeyExpires() {
        JsonObject o = parse(new MirrorMessage("m", false, 0).encode(event(EventType.UPDATED, utf8("k"),
                1_800_000_000_123L, utf8("v"), false)));
        assertEquals(1_800_000_000_123L, o.get("expiresAt").getAsLong());
    }

    @Test
    void aKeyThatIsNotUtf8GoesAsBase64WithAFlag() {
        byte[] key = {(byte) 0xff, 0, 'A'};
        JsonObject o = parse(new MirrorMessage("m", false, 0).encode(event(EventType.DELETED, key, 0, null, false)));
        assertEquals(Base64.getEncoder().encodeToString(key), o.get("key").getAsString());
        assertEquals("base64", o.get("keyEncoding").getAsString());
    }

    @Test
    void textIsEscapedSoAnyKeyReadsBackAsWritten() {
        String key = "q\"b\\s/\n\r\t\u0001\u001f\u007f\u2028\u2029é😀<>&";
        byte[] message = new MirrorMessage("m", false, 0).encode(event(EventType.DELETED, utf8(key), 0, null, false));
        JsonObject o = parse(message);
        assertEquals(key, o.get("key").getAsString());
        assertFalse(o.has("keyEncoding"));
        String raw = new String(message, StandardCharsets.UTF_8);
        assertTrue(raw.chars().noneMatch(c -> c < 0x20 || c == 0x2028 || c == 0x2029), raw);
    }

    @Test
    void valuesOnlyWhenAskedAndUnderTheLimit() {
        KeyEvent small = event(EventType.UPDATED, utf8("k"), 0, utf8("{\"a\":1}"), false);
        assertFalse(parse(new MirrorMessage("m", false, 4096).encode(small)).has("value"));

        JsonObject o = parse(new MirrorMessage("m", true, 4096).encode(small));
        assertEquals("{\"a\":1}", o.get("value").getAsString());
        assertFalse(o.has("valueEncoding") || o.has("valueTruncated") || o.has("valueOmitted"));

        byte[] binary = {1, (byte) 0xfe};
        o = parse(new MirrorMessage("m", true, 4096).encode(event(EventType.CREATED, utf8("k"), 0, binary, true)));
        assertEquals(Base64.getEncoder().encodeToString(binary), o.get("value").getAsString());
        assertEquals("base64", o.get("valueEncoding").getAsString());
        assertTrue(o.get("valueTruncated").getAsBoolean());

        o = parse(new MirrorMessage("m", true, 3).encode(small));
        assertFalse(o.has("value"));
        assertTrue(o.get("valueOmitted").getAsBoolean());

        o = parse(new MirrorMessage("m", true, 4096).encodeWithoutValue(small));
        assertFalse(o.has("value"));
        assertTrue(o.get("valueOmitted").getAsBoolean());

        o = parse(new MirrorMessage("m", true, 4096).encode(event(EventType.EXPIRED, utf8("k"), 5, null, false)));
        assertFalse(o.has("value") || o.has("valueOmitted"), "an expiry has no value: " + o);
    }

    @Test
    void aGapSaysHowManyEventsWereLostAndHasNoKey() {
        JsonObject o = parse(new MirrorMessage("m", true, 4096).encode(KeyEvent.gap(5, VERSION, 42)));
        assertEquals("GAP", o.get("type").getAsString());
        assertEquals(42, o.get("lost").getAsLong());
        assertEquals(5, o.get("segment").getAsInt());
        assertFalse(o.has("key"));
    }
}

package earthwo.channels.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The message a channel mirror publishes for one key event: a JSON object in UTF-8, written here
 * by hand (a handful of fields does not justify embedding a JSON library in this bundle):
 * <pre>
 * {"mirror": NAME, "id": EVENT_ID, "type": "CREATED"|"UPDATED"|"DELETED"|"EXPIRED"|"GAP",
 *  "key": KEY, "keyEncoding": "base64" (only when the key is not valid UTF-8),
 *  "version": "TS.NODE", "segment": N,
 *  "expiresAt": EPOCH_MS (only when the key expires),
 *  "lost": N (GAP only; a GAP has no key),
 *  with values on, for CREATED and UPDATED only:
 *  "value": VALUE, "valueEncoding": "base64" (only when not valid UTF-8),
 *  "valueTruncated": true (only when the event holds just the value's first bytes),
 *  or instead "valueOmitted": true when the value is over the mirror's limit}
 * </pre>
 * {@code version} is the packed hybrid-clock timestamp in decimal (wall ms = TS &gt;&gt; 16), a
 * dot and the id of the node that wrote it, as in the webhook's bodies. {@code id} is the same on
 * every replica ({@link KeyEvent#id()}): delivery is at least once, so subscribers use it to drop
 * repeats.
 */
final class MirrorMessage {

    private final String mirror;
    private final boolean values;
    private final int valuesMaxBytes;

    MirrorMessage(String mirror, boolean values, int valuesMaxBytes) {
        this.mirror = mirror;
        this.values = values;
        this.valuesMaxBytes = valuesMaxBytes;
    }

    MirrorMessage(MirrorSettings s) {
        this(s.name, s.values, s.valuesMaxBytes);
    }

    /** The event's message; its value as the mirror's settings say. */
    byte[] encode(KeyEvent e) {
        return encode(e, valuesMaxBytes);
    }

    /** The event's message without its value (marked omitted when values are on). */
    byte[] encodeWithoutValue(KeyEvent e) {
        return encode(e, -1);
    }

    /** Whether {@link #encode} puts the event's value in its message. */
    boolean carriesValue(KeyEvent e) {
        return values && hasValue(e) && e.value().length <= valuesMaxBytes;
    }

    private byte[] encode(KeyEvent e, int valueLimit) {
        StringBuilder b = new StringBuilder(160 + e.key().length * 2);
        b.append('{');
        text(b, "mirror", mirror);
        text(b, "id", e.id());
        text(b, "type", e.type().name());
        if (e.type() != EventType.GAP) {
            bytes(b, "key", e.key());
        }
        text(b, "version", Long.toUnsignedString(e.version().timestamp()) + "." + e.version().nodeId());
        number(b, "segment", e.segment());
        if (e.expiresAt() != Record.NEVER) {
            number(b, "expiresAt", e.expiresAt());
        }
        if (e.type() == EventType.GAP) {
            number(b, "lost", e.lost());
        }
        if (values && hasValue(e)) {
            if (e.value().length <= valueLimit) {
                bytes(b, "value", e.value());
                if (e.valueTruncated()) {
                    flag(b, "valueTruncated");
                }
            } else {
                flag(b, "valueOmitted");
            }
        }
        b.append('}');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean hasValue(KeyEvent e) {
        return (e.type() == EventType.CREATED || e.type() == EventType.UPDATED) && e.value() != null;
    }

    /** The bytes as text when they are valid UTF-8, else as base64 with {@code "NAMEEncoding":"base64"}. */
    private static void bytes(StringBuilder b, String name, byte[] data) {
        String text = Keys.utf8OrNull(data);
        if (text != null) {
            text(b, name, text);
        } else {
            text(b, name, Base64.getEncoder().encodeToString(data));
            text(b, name + "Encoding", "base64");
        }
    }

    private static void text(StringBuilder b, String name, String value) {
        key(b, name);
        quote(b, value);
    }

    private static void number(StringBuilder b, String name, long value) {
        key(b, name);
        b.append(value);
    }

    private static void flag(StringBuilder b, String name) {
        key(b, name);
        b.append("true");
    }

    private static void key(StringBuilder b, String name) {
        if (b.charAt(b.length() - 1) != '{') {
            b.append(',');
        }
        quote(b, name);
        b.append(':');
    }

    /**
     * A JSON string literal: quote and backslash escaped, every control character as a
     * backslash-u escape, and U+2028 and U+2029 too, which some JavaScript parsers take for line
     * ends.
     */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}

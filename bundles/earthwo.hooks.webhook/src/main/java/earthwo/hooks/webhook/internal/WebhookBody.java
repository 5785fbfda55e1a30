package earthwo.hooks.webhook.internal;

import earthwo.api.Keys;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;

/**
 * The JSON body of one POST:
 * <pre>
 * {"hook": NAME, "node": NODE_ID (omitted when unknown), "events": [
 *   {"id", "type", "key" (only when the key is valid UTF-8), "keyBase64", "version": "TS.NODE",
 *    "segment", "expiresAt", "value" (base64; CREATED/UPDATED), "valueTruncated" (CREATED/UPDATED),
 *    "lost" (GAP)}]}
 * </pre>
 * {@code version} is the packed hybrid-clock timestamp in decimal (wall ms = TS &gt;&gt; 16), a dot
 * and the id of the node that wrote it. {@code expiresAt} is epoch ms, 0 for none. The signature
 * covers exactly the bytes returned here.
 */
final class WebhookBody {

    // No HTML escaping: receivers see keys such as "a<b" as written, not as "a\u003cb".
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private WebhookBody() {
    }

    static byte[] render(String hook, OptionalInt node, List<KeyEvent> events) {
        JsonObject root = new JsonObject();
        root.addProperty("hook", hook);
        if (node.isPresent()) {
            root.addProperty("node", node.getAsInt());
        }
        JsonArray array = new JsonArray(events.size());
        for (KeyEvent e : events) {
            array.add(event(e));
        }
        root.add("events", array);
        return GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject event(KeyEvent e) {
        Base64.Encoder b64 = Base64.getEncoder();
        JsonObject o = new JsonObject();
        o.addProperty("id", e.id());
        o.addProperty("type", e.type().name());
        String key = Keys.utf8OrNull(e.key());
        if (key != null) {
            o.addProperty("key", key);
        }
        o.addProperty("keyBase64", b64.encodeToString(e.key()));
        o.addProperty("version", version(e.version()));
        o.addProperty("segment", e.segment());
        o.addProperty("expiresAt", e.expiresAt());
        if (e.type() == EventType.CREATED || e.type() == EventType.UPDATED) {
            byte[] value = e.value() == null ? new byte[0] : e.value();
            o.addProperty("value", b64.encodeToString(value));
            o.addProperty("valueTruncated", e.valueTruncated());
        }
        if (e.type() == EventType.GAP) {
            o.addProperty("lost", e.lost());
        }
        return o;
    }

    static String version(Version v) {
        return Long.toUnsignedString(v.timestamp()) + "." + v.nodeId();
    }
}

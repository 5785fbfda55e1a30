package earthwo.channels.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static earthwo.channels.internal.MirrorMessageTest.event;
import static earthwo.channels.internal.MirrorMessageTest.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A mirror's hook publishes every event it is given on its channel, and its batch completes only then. */
class ChannelMirrorTest {

    private static MirrorSettings settings(Object... more) {
        return MirrorSettings.resolve(MirrorSettingsTest.config(more));
    }

    private static JsonObject json(ChannelMessage m) {
        return JsonParser.parseString(new String(m.payload(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void aBatchReachesSubscribersOnEveryNodeInOrder() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings())) {
            Recorder r = new Recorder();
            TestNodes.join(cluster.node(2).subscribe(SubscribeRequest.ofChannels("keys.orders"), r).ready());
            KeyHook hook = new ChannelMirror(settings(), cluster.node(1));
            List<KeyEvent> batch = List.of(
                    event(EventType.CREATED, utf8("order:1"), 0, utf8("a"), false),
                    event(EventType.UPDATED, utf8("order:1"), 0, utf8("b"), false),
                    event(EventType.DELETED, utf8("order:1"), 0, null, false));
            hook.deliver(batch).toCompletableFuture().get(5, TimeUnit.SECONDS);
            Poll.until("three messages", Duration.ofSeconds(5), () -> r.count() == 3);
            List<String> types = new ArrayList<>();
            synchronized (r.messages) {
                r.messages.forEach(m -> types.add(json(m).get("type").getAsString()));
            }
            assertEquals(List.of("CREATED", "UPDATED", "DELETED"), types);
            assertEquals(batch.get(0).id(), json(r.messages.get(0)).get("id").getAsString());
        }
    }

    @Test
    void aRefusedPublishFailsTheBatchSoTheHooksRuntimeRetries() {
        TestNodes cluster = new TestNodes(1, TestNodes.settings());
        KeyHook hook = new ChannelMirror(settings(), cluster.node(1));
        cluster.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> hook.deliver(
                List.of(event(EventType.CREATED, utf8("k"), 0, utf8("v"), false))).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(EarthwoException.class, e.getCause()).code());
    }

    @Test
    void aValueOverTheNodesMessageLimitIsLeftOutRatherThanFailingForever() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings().withMaxMessageBytes(400))) {
            Recorder r = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("keys.orders"), r).ready());
            KeyHook hook = new ChannelMirror(settings(MirrorSettings.VALUES, "true"), cluster.node(1));
            hook.deliver(List.of(event(EventType.CREATED, utf8("k"), 0, utf8("x".repeat(500)), false),
                    event(EventType.CREATED, utf8("k2"), 0, utf8("small"), false)))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            Poll.until("two messages", Duration.ofSeconds(5), () -> r.count() == 2);
            assertTrue(json(r.messages.get(0)).get("valueOmitted").getAsBoolean());
            assertEquals("small", json(r.messages.get(1)).get("value").getAsString());
        }
    }

    @Test
    void theComponentRegistersTheHookWithItsFiltersOrNothingWhenRefused() {
        List<Dictionary<String, ?>> registered = new ArrayList<>();
        List<Dictionary<String, ?>> unregistered = new ArrayList<>();
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, args) -> {
                    if (!m.getName().equals("registerService")) {
                        throw new UnsupportedOperationException(m.getName());
                    }
                    assertEquals(KeyHook.class, args[0]);
                    @SuppressWarnings("unchecked")
                    Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
                    registered.add(props);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p2, m2, a2) -> {
                                if (m2.getName().equals("unregister")) {
                                    unregistered.add(props);
                                }
                                return null;
                            });
                });
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            MirrorComponent good = new MirrorComponent(cluster.node(1), context,
                    MirrorSettingsTest.config(MirrorSettings.PREFIXES, "order:", MirrorSettings.EVENTS, "DELETED"));
            assertEquals(1, registered.size());
            assertEquals("channel-mirror-orders", registered.get(0).get(KeyHook.NAME));
            assertEquals(List.of("order:"), List.of((String[]) registered.get(0).get(KeyHook.PREFIXES)));
            assertEquals(List.of("DELETED"), List.of((String[]) registered.get(0).get(KeyHook.EVENTS)));
            good.deactivate();
            assertEquals(1, unregistered.size());

            MirrorComponent refused = new MirrorComponent(cluster.node(1), context,
                    MirrorSettingsTest.config(MirrorSettings.CHANNEL, "no good"));
            assertEquals(1, registered.size(), "a refused configuration registers nothing");
            refused.deactivate();
            assertEquals(1, unregistered.size());
        }
    }
}

package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelNames;
import earthwo.api.channels.Channels;
import earthwo.api.channels.SubscribeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad input and limits give typed errors and change nothing. */
class LimitsTest {

    @Test
    void badNamesPatternsAndMessagesAreRefusedWithTypedErrors() {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings().withMaxMessageBytes(1_000))) {
            ChannelsComponent node = cluster.node(1);
            expect(ErrorCode.TOO_LARGE, () -> node.publish("a", new byte[1_001]));
            node.publish("a", new byte[1_000]);
            expect(ErrorCode.BAD_REQUEST, () -> node.publish("", new byte[1]));
            expect(ErrorCode.BAD_REQUEST, () -> node.publish(null, new byte[1]));
            expect(ErrorCode.BAD_REQUEST, () -> node.publish("a b", new byte[1]));
            expect(ErrorCode.BAD_REQUEST, () -> node.publish("a\u0001", new byte[1]));
            expect(ErrorCode.BAD_REQUEST, () -> node.publish("orders.*", new byte[1]));
            expect(ErrorCode.BAD_REQUEST, () -> node.publish("a", null));
            expect(ErrorCode.TOO_LARGE, () -> node.publish("x".repeat(ChannelNames.MAX_BYTES + 1), new byte[1]));
            expect(ErrorCode.TOO_LARGE, () -> node.publish("é".repeat(ChannelNames.MAX_BYTES / 2 + 1), new byte[1]));
            node.publish("x".repeat(ChannelNames.MAX_BYTES), new byte[1]);

            Recorder r = new Recorder();
            expect(ErrorCode.BAD_REQUEST, () -> node.subscribe(SubscribeRequest.ofPatterns("orders.***"), r));
            expect(ErrorCode.BAD_REQUEST, () -> node.subscribe(SubscribeRequest.ofPatterns(""), r));
            expect(ErrorCode.BAD_REQUEST, () -> node.subscribe(SubscribeRequest.ofChannels(), r));
            expect(ErrorCode.BAD_REQUEST, () -> node.subscribe(SubscribeRequest.ofChannels("a*"), r));
            expect(ErrorCode.BAD_REQUEST, () -> node.subscribe(SubscribeRequest.ofChannels("a").withBufferSize(-1), r));
            expect(ErrorCode.TOO_LARGE, () -> node.subscribe(SubscribeRequest.ofChannels("a")
                    .withPatterns(List.of("p.*".repeat(400))), r));
            assertEquals(0, node.status().get("subscriptions"));
        }
    }

    @Test
    void aConnectionHoldsAtMostTheLimitOfSubscriptions() {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            ChannelsComponent node = cluster.node(1);
            SubscribeRequest request = SubscribeRequest.ofChannels("a").onConnection("client-1");
            var first = node.subscribe(request, new Recorder());
            for (int i = 1; i < Channels.MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
                node.subscribe(request, new Recorder());
            }
            expect(ErrorCode.TOO_LARGE, () -> node.subscribe(request, new Recorder()));
            node.subscribe(SubscribeRequest.ofChannels("a").onConnection("client-2"), new Recorder());
            node.subscribe(SubscribeRequest.ofChannels("a"), new Recorder()); // in-process: not counted
            first.close();
            node.subscribe(request, new Recorder());
        }
    }

    @Test
    void aMalformedPeerMessageIsABadRequest() {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            Throwable t = assertThrows(ExecutionException.class, () -> cluster.node(1)
                    .handle(new byte[] {(byte) PeerMessages.MESSAGES, 0, 0, 0, 9}).toCompletableFuture().get());
            EarthwoException e = (EarthwoException) t.getCause();
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertEquals(0L, cluster.node(1).status().get("received"));
        }
    }

    private static void expect(ErrorCode code, Executable call) {
        EarthwoException e = assertThrows(EarthwoException.class, call);
        assertEquals(code, e.code(), e.getMessage());
    }
}

package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.StreamKey;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The peer messages read back as written. */
class PeerMessagesTest {

    @Test
    void messagesInterestAndReplayRoundTrip() {
        ChannelMessage m = new ChannelMessage("é.x", new byte[] {1, 2, 3}, "7-00000000000000ff", 42, 1234);
        List<ChannelMessage> back = PeerMessages.decodeMessages(PeerMessages.encodeMessages(List.of(m, m)));
        assertEquals(2, back.size());
        assertEquals(m.stream(), back.get(1).stream());
        assertEquals(42, back.get(0).sequence());
        assertArrayEquals(m.payload(), back.get(0).payload());

        Interest i = Interest.of(List.of("a", "b"), List.of("c.*", "d"));
        assertEquals(Set.of("a", "b", "d"), i.names());
        PeerMessages.InterestNote note = PeerMessages.decodeInterest(
                PeerMessages.encodeInterest(new PeerMessages.InterestNote(3, "3-1", 9, i)));
        assertEquals(i, note.interest());
        assertEquals(9, note.version());

        StreamKey k = new StreamKey("a", "7-00000000000000ff");
        PeerMessages.ReplayAsk ask = PeerMessages.decodeAsk(PeerMessages.encodeAsk(
                new PeerMessages.ReplayAsk(i, 55, Map.of(k, 4L))));
        assertEquals(Map.of(k, 4L), ask.after());
        PeerMessages.ReplayAnswer answer = PeerMessages.decodeAnswer(PeerMessages.encodeAnswer(
                new PeerMessages.ReplayAnswer(true, List.of(m), Map.of(k, 50L))));
        assertTrue(answer.truncated());
        assertEquals(Map.of(k, 50L), answer.lastSeen());
    }
}

package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelPattern;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pattern syntax: '*' within a dot-separated part, '**' across parts. */
class ChannelPatternTest {

    @Test
    void oneStarStaysWithinAPart() {
        ChannelPattern p = ChannelPattern.compile("orders.*");
        assertTrue(p.matches("orders.eu"));
        assertTrue(p.matches("orders."));
        assertFalse(p.matches("orders.eu.created"));
        assertFalse(p.matches("orders"));
        assertTrue(ChannelPattern.compile("*.created").matches("eu.created"));
        assertFalse(ChannelPattern.compile("*.created").matches("a.eu.created"));
        assertTrue(ChannelPattern.compile("o*s.e*").matches("orders.eu"));
    }

    @Test
    void twoStarsCrossParts() {
        assertTrue(ChannelPattern.compile("**").matches("a.b.c"));
        assertTrue(ChannelPattern.compile("orders.**").matches("orders.eu.created"));
        assertTrue(ChannelPattern.compile("**.created").matches("orders.eu.created"));
        assertFalse(ChannelPattern.compile("**.created").matches("orders.eu.deleted"));
        assertTrue(ChannelPattern.compile("a.**.z").matches("a.b.c.z"));
    }

    @Test
    void aPatternWithoutWildcardMatchesItsOwnName() {
        ChannelPattern p = ChannelPattern.compile("orders");
        assertTrue(p.isLiteral());
        assertTrue(p.matches("orders"));
        assertFalse(p.matches("orders2"));
    }

    @Test
    void aHostilePatternStillMatchesQuickly() {
        ChannelPattern p = ChannelPattern.compile("**a".repeat(300) + "b");
        long t0 = System.nanoTime();
        assertFalse(p.matches("a".repeat(1_000)));
        assertTrue((System.nanoTime() - t0) < 1_000_000_000L);
    }

    @Test
    void threeStarsOrWhitespaceAreBadPatterns() {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> ChannelPattern.compile("a.***")).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> ChannelPattern.compile("a *")).code());
    }
}

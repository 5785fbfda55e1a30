package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest {

    @Test
    void parsesHostAndPort() throws Exception {
        InetSocketAddress a = Addresses.parse(" 127.0.0.1:7380 ");
        assertEquals("127.0.0.1", a.getHostString());
        assertEquals(7380, a.getPort());
        InetSocketAddress v6 = Addresses.parse("[::1]:7381");
        assertEquals(7381, v6.getPort());
        assertEquals(InetAddress.getByName("::1"), v6.getAddress(), "brackets stripped");
    }

    @Test
    void refusesWhatIsNotHostColonPort() {
        assertRefused("localhost", "address must be host:port, not 'localhost'");
        assertRefused(":7380", "address must be host:port, not ':7380'");
        assertRefused("h:", "address must be host:port, not 'h:'");
        assertRefused("h:port", "bad port in address 'h:port'");
        assertRefused("h:0", "port out of range in address 'h:0'");
        assertRefused("h:65536", "port out of range in address 'h:65536'");
    }

    private static void assertRefused(String address, String message) {
        EarthwoException e = assertThrows(EarthwoException.class, () -> Addresses.parse(address));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().endsWith(message), e.getMessage());
    }
}

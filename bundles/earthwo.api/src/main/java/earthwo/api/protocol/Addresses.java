package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.net.InetSocketAddress;

/** Node addresses as clients and tools write them: "host:port", IPv6 as "[::1]:port". */
public final class Addresses {

    private Addresses() {
    }

    /** @throws EarthwoException BAD_REQUEST when the address is not host:port with a port 1..65535 */
    public static InetSocketAddress parse(String address) {
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "address must be host:port, not '" + address + "'");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "bad port in address '" + address + "'");
        }
        if (port <= 0 || port > 65535) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "port out of range in address '" + address + "'");
        }
        return new InetSocketAddress(host, port);
    }
}

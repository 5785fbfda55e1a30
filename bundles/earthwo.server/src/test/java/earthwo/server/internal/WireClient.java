package earthwo.server.internal;

import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A raw java.net.Socket speaking the codec of earthwo.api.protocol, for tests. */
final class WireClient implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Integer, Opcode> sent = new ConcurrentHashMap<>();

    WireClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Queues a request (call {@link #flush()} or use {@link #call}). */
    WireClient send(Request r) throws IOException {
        sent.put(r.id(), r.opcode());
        out.write(r.encode());
        return this;
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Sends a piece of {@code r}'s encoding as raw bytes; the answer read later is decoded as {@code r}'s. */
    void sendRawExpecting(Request r, byte[] piece) throws IOException {
        sent.put(r.id(), r.opcode());
        sendRaw(piece);
    }

    Response call(Request r) throws IOException {
        send(r);
        flush();
        return read();
    }

    /** Reads one response frame; the opcode of its request fixes its layout (PING for id -1). */
    Response read() throws IOException {
        int len = in.readInt();
        byte[] body = new byte[len];
        in.readFully(body);
        int id = ByteBuffer.wrap(body, 1, 4).getInt();
        Opcode op = sent.remove(id);
        return Response.decode(ByteBuffer.wrap(body), op == null ? Opcode.PING : op);
    }

    /** True if the server closes the connection within the socket timeout (after any answers). */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

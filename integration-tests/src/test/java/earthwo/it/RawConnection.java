package earthwo.it;

import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A bare socket to a node for sending hand-made (also broken) frames and reading answers. */
public final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    public RawConnection(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(Request r) throws IOException {
        send(r.encode());
    }

    /** Reads one response frame, decoding its payload as the answer to {@code op}. */
    public Response read(Opcode op) throws IOException {
        int len = in.readInt();
        byte[] body = new byte[len];
        in.readFully(body);
        return Response.decode(ByteBuffer.wrap(body), op);
    }

    public Response call(Request r) throws IOException {
        send(r);
        return read(r.opcode());
    }

    /** True when the node closed the connection (after any frames still buffered). */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                int len = in.readInt();
                in.skipNBytes(len);
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // connection reset also means the peer closed it
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

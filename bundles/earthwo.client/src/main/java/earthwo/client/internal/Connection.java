package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.protocol.Addresses;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.PushFrames;
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
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * One TCP connection to one node, with requests pipelined on it.
 *
 * <ul>
 *   <li>Callers encode their frame and put it on a queue; one writer thread writes queued frames
 *       into a buffered stream and flushes only when the queue is empty, so requests issued
 *       together leave in as few TCP segments as possible (TCP_NODELAY is on).</li>
 *   <li>One reader thread decodes responses and completes the future registered under the
 *       request id, with the opcode of that request fixing the payload layout. Futures complete
 *       on the reader thread: callbacks that do heavy work should use the *Async variants.</li>
 *   <li>Error responses complete the future exceptionally with their typed
 *       {@link EarthwoException}; NOT_FOUND is a normal response.</li>
 *   <li>At most {@code maxInFlight} requests are outstanding. A caller over the bound <b>blocks</b>
 *       until a permit frees up, for at most the request timeout, then fails with BUSY. Client
 *       threads (I/O, scheduler, callbacks running on them) never block: they fail fast with
 *       BUSY, which the routing layer retries after a backoff.</li>
 *   <li>Timeouts are checked by {@link #expire(long)}, called by the owning client's single
 *       scheduler; an expired request fails with UNAVAILABLE and a late answer is dropped.</li>
 *   <li>Frames the node pushes for a subscription ({@link #subscribe}) go to its receiver on the
 *       reader thread.</li>
 *   <li>When the socket fails, or the node sends a frame outside 5 bytes..16 MiB, the connection
 *       is dead: every pending request fails with UNAVAILABLE and later sends fail at once.</li>
 * </ul>
 */
public final class Connection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final int BUFFER = 64 * 1024;

    /** Bound on a response frame (the bytes after the length prefix). */
    public static final int MAX_FRAME = Frames.DEFAULT_MAX_FRAME;

    private final String address;
    private final String threadTag;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long timeoutNanos;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Consumer<Connection> onDeath;

    private final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    /** Receivers of pushed frames, by the id of the SUBSCRIBE request that opened them. */
    private final ConcurrentHashMap<Integer, Consumer<Object>> pushes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile boolean writerParked;
    private volatile String deathReason;

    private final ClientThread reader;
    private final ClientThread writer;

    private Connection(String address, String threadTag, Socket socket, long timeoutNanos, int maxInFlight,
                       Consumer<Connection> onDeath) throws IOException {
        this.address = address;
        this.threadTag = threadTag;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        this.timeoutNanos = timeoutNanos;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.onDeath = onDeath;
        this.reader = new ClientThread(threadTag + "-read-" + address, this::readLoop);
        this.writer = new ClientThread(threadTag + "-write-" + address, this::writeLoop);
    }

    /**
     * Connects (blocking, at most {@code timeoutMillis}) and starts the I/O threads.
     *
     * @param socket an unconnected socket; the caller may close it to abort the connect
     * @throws EarthwoException UNAVAILABLE when the node cannot be reached
     */
    static Connection open(Socket socket, String address, String threadTag, long timeoutMillis, int maxInFlight,
                           Consumer<Connection> onDeath) {
        return open(socket, address, null, threadTag, timeoutMillis, maxInFlight, onDeath);
    }

    /** As {@link #open(Socket, String, String, long, int, Consumer)}, over TLS when {@code tls} is not null. */
    static Connection open(Socket socket, String address, ClientTls tls, String threadTag, long timeoutMillis,
                           int maxInFlight, Consumer<Connection> onDeath) {
        InetSocketAddress target = parseAddress(address);
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis));
            socket.connect(target, timeout);
            Socket channel = socket;
            if (tls != null) {
                socket.setSoTimeout(timeout); // bounds the handshake
                channel = tls.wrap(socket, target.getHostString(), target.getPort());
                socket.setSoTimeout(0);
            }
            Connection c = new Connection(address, threadTag, channel, TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                    Math.max(1, maxInFlight), onDeath);
            c.reader.start();
            c.writer.start();
            return c;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    /** Parses "host:port" (IPv6 as "[::1]:port"); see {@link Addresses#parse}. */
    public static InetSocketAddress parseAddress(String address) {
        return Addresses.parse(address);
    }

    public String address() {
        return address;
    }

    public boolean isAlive() {
        return !dead.get();
    }

    /** Requests sent and not yet answered or failed. */
    public int inFlight() {
        return pending.size();
    }

    /**
     * Sends one request. {@code build} gets the request id and returns the request.
     *
     * @param mayBlock whether the caller may wait for the in-flight bound (ignored on client threads)
     * @return completes with the response (OK or NOT_FOUND), or exceptionally with an
     *         {@link EarthwoException}: the node's typed error, UNAVAILABLE on timeout or a dead
     *         connection, BUSY when the in-flight bound was hit
     */
    public CompletableFuture<Response> send(IntFunction<Request> build, boolean mayBlock) {
        CompletableFuture<Response> f = new CompletableFuture<>();
        if (dead.get()) {
            f.completeExceptionally(deadException());
            return f;
        }
        if (!acquire(mayBlock)) {
            f.completeExceptionally(new EarthwoException(ErrorCode.BUSY,
                    maxInFlight + " requests already in flight on the connection to " + address));
            return f;
        }
        int id = nextId.getAndIncrement();
        byte[] frame;
        Request req;
        try {
            req = build.apply(id);
            frame = req.encode();
        } catch (RuntimeException e) {
            inFlight.release();
            f.completeExceptionally(e instanceof EarthwoException ? e
                    : new EarthwoException(ErrorCode.BAD_REQUEST, String.valueOf(e.getMessage()), e));
            return f;
        }
        if (frame.length - Frames.LENGTH_BYTES > MAX_FRAME) {
            inFlight.release();
            f.completeExceptionally(new EarthwoException(ErrorCode.TOO_LARGE,
                    "request frame of " + frame.length + " bytes exceeds the limit of " + MAX_FRAME));
            return f;
        }
        Pending p = new Pending(req.opcode(), f, System.nanoTime() + timeoutNanos);
        pending.put(id, p);
        if (dead.get()) {
            if (pending.remove(id, p)) {
                inFlight.release();
                f.completeExceptionally(deadException());
            }
            return f;
        }
        queue.add(frame);
        if (writerParked) {
            LockSupport.unpark(writer);
        }
        return f;
    }

    /**
     * Sends a SUBSCRIBE; what the node pushes under its id ({@link PushFrames}: messages, gaps,
     * the end) goes to {@code receiver} on the reader thread, from before the answer on. The
     * receiver may block, which holds the reader, and with it the whole connection: a
     * subscription's connection should carry nothing else.
     */
    public CompletableFuture<Response> subscribe(IntFunction<Request> build, Consumer<Object> receiver) {
        int[] idSent = {-1};
        CompletableFuture<Response> f = send(id -> {
            pushes.put(id, receiver);
            idSent[0] = id;
            return build.apply(id);
        }, false);
        f.whenComplete((r, e) -> {
            if (e != null && idSent[0] >= 0) {
                pushes.remove(idSent[0]);
            }
        });
        return f;
    }

    private boolean acquire(boolean mayBlock) {
        if (inFlight.tryAcquire()) {
            return true;
        }
        if (!mayBlock || ClientThread.isCurrent()) {
            return false;
        }
        try {
            return inFlight.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Fails every request whose deadline has passed. Called by the client's scheduler. */
    void expire(long nowNanos) {
        if (pending.isEmpty()) {
            return;
        }
        for (Iterator<Map.Entry<Integer, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Pending> e = it.next();
            Pending p = e.getValue();
            if (nowNanos - p.deadline >= 0 && pending.remove(e.getKey(), p)) {
                inFlight.release();
                p.future.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE,
                        "no answer from " + address + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms ("
                                + p.opcode + ")"));
            }
        }
    }

    private void readLoop() {
        String reason;
        try {
            while (!dead.get()) {
                int len = in.readInt();
                if (len < Frames.HEADER_BYTES || len > MAX_FRAME) {
                    fail("protocol error: " + address + " sent a frame of " + len + " bytes (allowed "
                            + Frames.HEADER_BYTES + ".." + MAX_FRAME + ")");
                    return;
                }
                byte[] body = new byte[len];
                in.readFully(body);
                int id = (body[1] & 0xff) << 24 | (body[2] & 0xff) << 16 | (body[3] & 0xff) << 8 | (body[4] & 0xff);
                if (PushFrames.isPush(body[0] & 0xff)) {
                    if (!deliverPush(id, body)) {
                        return;
                    }
                    continue;
                }
                Pending p = pending.remove(id);
                if (p == null) {
                    continue; // timed out already, or an id we never sent
                }
                inFlight.release();
                complete(p, body);
            }
            return;
        } catch (EOFException e) {
            reason = "connection to " + address + " closed by the node";
        } catch (IOException e) {
            reason = "connection to " + address + " failed: " + e.getMessage();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "reader of " + address + " failed", e);
            reason = "connection to " + address + " failed: " + e;
        }
        fail(reason);
    }

    /** False when the frame was malformed and the connection failed. */
    private boolean deliverPush(int id, byte[] body) {
        Consumer<Object> receiver = pushes.get(id);
        if (receiver == null) {
            return true; // a subscription this side has given up
        }
        Object item;
        try {
            item = PushFrames.decode(ByteBuffer.wrap(body));
        } catch (EarthwoException e) {
            fail("protocol error: malformed pushed frame from " + address + ": " + e.getMessage());
            return false;
        }
        if (item instanceof PushFrames.Ended) {
            pushes.remove(id);
        }
        try {
            receiver.accept(item);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "receiver of subscription " + id + " on " + address + " failed", e);
        }
        return true;
    }

    private void complete(Pending p, byte[] body) {
        Response r;
        try {
            r = Response.decode(ByteBuffer.wrap(body), p.opcode);
        } catch (EarthwoException e) {
            p.future.completeExceptionally(new EarthwoException(ErrorCode.INTERNAL,
                    "malformed " + p.opcode + " response from " + address + ": " + e.getMessage(), e));
            return;
        }
        try {
            if (r.isError()) {
                p.future.completeExceptionally(r.toException());
            } else {
                p.future.complete(r);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "callback of a " + p.opcode + " request failed", e);
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] frame = queue.poll();
                if (frame != null) {
                    out.write(frame);
                    continue;
                }
                out.flush();
                if (dead.get()) {
                    return;
                }
                writerParked = true;
                if (queue.isEmpty() && !dead.get()) {
                    LockSupport.park(this);
                }
                writerParked = false;
            }
        } catch (IOException | RuntimeException e) {
            fail("connection to " + address + " failed while writing: " + e.getMessage());
        }
    }

    /** Marks the connection dead, closes the socket and fails every pending request with UNAVAILABLE. */
    void fail(String reason) {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        deathReason = reason;
        closeQuietly(socket);
        LockSupport.unpark(writer);
        queue.clear();
        for (Integer id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                inFlight.release();
                p.future.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, reason));
            }
        }
        if (onDeath != null) {
            try {
                onDeath.accept(this);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "death listener of " + address + " failed", e);
            }
        }
    }

    private EarthwoException deadException() {
        return new EarthwoException(ErrorCode.UNAVAILABLE, String.valueOf(deathReason));
    }

    /** Closes the socket, fails pending requests and waits (briefly) for the I/O threads to end. */
    @Override
    public void close() {
        fail("connection to " + address + " closed by the client");
        joinQuietly(writer);
        joinQuietly(reader);
    }

    private static void joinQuietly(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "Connection[" + address + (dead.get() ? ", dead" : "") + ", in flight " + pending.size() + "]";
    }

    private static final class Pending {
        final Opcode opcode;
        final CompletableFuture<Response> future;
        final long deadline;

        Pending(Opcode opcode, CompletableFuture<Response> future, long deadline) {
            this.opcode = opcode;
            this.future = future;
            this.deadline = deadline;
        }
    }
}

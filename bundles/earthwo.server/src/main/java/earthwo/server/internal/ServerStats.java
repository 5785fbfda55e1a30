package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.admin.StatusSource;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the server, shown as the "server" part of a node's status. */
final class ServerStats implements StatusSource {

    static final String NAME = "server";

    final AtomicInteger connectionsOpen = new AtomicInteger();
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder connectionsRejected = new LongAdder();
    final LongAdder requestsServed = new LongAdder();
    final LongAdder authFailures = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder peerRequests = new LongAdder();
    final LongAdder peerUnhandled = new LongAdder();
    /** Client connections closed for being idle. */
    final LongAdder idleClosed = new LongAdder();
    /** PEER frames refused because the connection lacked the peer role. */
    final LongAdder peerRefused = new LongAdder();
    /** Subscriptions opened by clients (SUBSCRIBE). */
    final LongAdder subscriptionsOpened = new LongAdder();
    /** Channel messages pushed to subscribers. */
    final LongAdder messagesPushed = new LongAdder();
    /** Flushes of pushed frames (one per burst). */
    final LongAdder pushesFlushed = new LongAdder();
    private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
    volatile String endpoint = "";

    ServerStats() {
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, new LongAdder());
        }
    }

    void error(ErrorCode code) {
        errors.get(code).increment();
    }

    long errors(ErrorCode code) {
        return errors.get(code).sum();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoint", endpoint);
        m.put("connections.open", connectionsOpen.get());
        m.put("connections.accepted", connectionsAccepted.sum());
        m.put("connections.rejected", connectionsRejected.sum());
        m.put("requests.served", requestsServed.sum());
        m.put("auth.failures", authFailures.sum());
        m.put("bytes.in", bytesIn.sum());
        m.put("bytes.out", bytesOut.sum());
        m.put("peer.requests", peerRequests.sum());
        m.put("peer.unhandled", peerUnhandled.sum());
        m.put("peer.refused", peerRefused.sum());
        m.put("connections.idle.closed", idleClosed.sum());
        m.put("subscriptions.opened", subscriptionsOpened.sum());
        m.put("messages.pushed", messagesPushed.sum());
        m.put("pushes.flushed", pushesFlushed.sum());
        for (Map.Entry<ErrorCode, LongAdder> e : errors.entrySet()) {
            m.put("errors." + e.getKey().name(), e.getValue().sum());
        }
        return m;
    }
}

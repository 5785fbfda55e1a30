package earthwo.server.internal;

import earthwo.api.cluster.PeerHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@link PeerHandler} whiteboard: which handler takes each peer message type (the first
 * payload byte, 0..255). Handlers come and go with their bundles; after {@link #remove} a
 * handler is never returned again (requests already running in it finish there).
 *
 * <p>The service property {@value PeerHandler#MESSAGE_TYPES} is accepted in every form DS and
 * the framework hand over: Integer, Long, Short, Byte, int[], Integer[], long[], String ("1",
 * "1,2,3", "16-31"), String[] and Collection of those. Values outside 0..255 are ignored with a
 * warning. When two handlers claim one type, the higher {@code service.ranking} wins, then the
 * lower {@code service.id} (the older registration).
 */
final class PeerRouter {

    private static final Logger LOG = LoggerFactory.getLogger(PeerRouter.class);

    private static final Comparator<Entry> PRECEDENCE = Comparator
            .comparingInt((Entry e) -> -e.ranking)
            .thenComparingLong(e -> e.serviceId)
            .thenComparingLong(e -> e.seq);

    private final List<Entry> entries = new ArrayList<>();
    private long seq;
    /** Index = message type; rebuilt (copy on write) on every change. */
    private volatile PeerHandler[] byType = new PeerHandler[256];
    /** Index = message type: whether its handler said it may run on an I/O thread ({@link PeerHandler#INLINE}). */
    private volatile boolean[] inlineByType = new boolean[256];

    /** The handler for a message type (0..255), or null when none is registered. */
    PeerHandler handler(int type) {
        return type < 0 || type > 255 ? null : byType[type];
    }

    /** Whether the handler of a message type may run on the connection's I/O thread. */
    boolean inline(int type) {
        return type >= 0 && type <= 255 && inlineByType[type];
    }

    synchronized void add(PeerHandler handler, Map<String, ?> props) {
        entries.removeIf(e -> e.handler == handler);
        entries.add(new Entry(handler, props, seq++));
        rebuild();
    }

    synchronized void update(PeerHandler handler, Map<String, ?> props) {
        add(handler, props);
    }

    synchronized void remove(PeerHandler handler) {
        entries.removeIf(e -> e.handler == handler);
        rebuild();
    }

    /** The message types that have a handler, for status. */
    String types() {
        PeerHandler[] t = byType;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.length; i++) {
            if (t[i] != null) {
                sb.append(sb.length() == 0 ? "" : ",").append(i);
            }
        }
        return sb.toString();
    }

    private void rebuild() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(PRECEDENCE);
        PeerHandler[] t = new PeerHandler[256];
        boolean[] inline = new boolean[256];
        for (Entry e : sorted) {
            for (int type : e.types) {
                if (t[type] == null) {
                    t[type] = e.handler;
                    inline[type] = e.inline;
                }
            }
        }
        inlineByType = inline;
        byType = t;
    }

    /** Parses the message-type property; see the class comment for the accepted forms. */
    static TreeSet<Integer> types(Object value) {
        TreeSet<Integer> out = new TreeSet<>();
        collect(value, out);
        return out;
    }

    private static void collect(Object v, Collection<Integer> out) {
        if (v == null) {
            return;
        }
        if (v instanceof Number n) {
            add(n.longValue(), v, out);
        } else if (v instanceof String s) {
            for (String part : s.split("[,\\s]+")) {
                parse(part.trim(), out);
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                collect(o, out);
            }
        } else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                collect(Array.get(v, i), out);
            }
        } else {
            LOG.warn("ignoring {} value of type {}: {}", PeerHandler.MESSAGE_TYPES, v.getClass().getName(), v);
        }
    }

    private static void parse(String s, Collection<Integer> out) {
        if (s.isEmpty()) {
            return;
        }
        try {
            int dash = s.indexOf('-', 1);
            if (dash > 0) {
                long from = Long.parseLong(s.substring(0, dash).trim());
                long to = Long.parseLong(s.substring(dash + 1).trim());
                if (from < 0 || to > 255 || from > to) {
                    LOG.warn("ignoring {} range '{}': must be within 0..255", PeerHandler.MESSAGE_TYPES, s);
                    return;
                }
                for (long t = from; t <= to; t++) {
                    out.add((int) t);
                }
            } else {
                add(Long.parseLong(s), s, out);
            }
        } catch (NumberFormatException e) {
            LOG.warn("ignoring {} value '{}': not a number", PeerHandler.MESSAGE_TYPES, s);
        }
    }

    private static void add(long t, Object original, Collection<Integer> out) {
        if (t < 0 || t > 255) {
            LOG.warn("ignoring {} value {}: message types are 0..255", PeerHandler.MESSAGE_TYPES, original);
            return;
        }
        out.add((int) t);
    }

    private static final class Entry {
        final PeerHandler handler;
        final TreeSet<Integer> types;
        final int ranking;
        final long serviceId;
        final long seq;
        final boolean inline;

        Entry(PeerHandler handler, Map<String, ?> props, long seq) {
            this.handler = handler;
            this.types = types(props == null ? null : props.get(PeerHandler.MESSAGE_TYPES));
            Object r = props == null ? null : props.get("service.ranking");
            this.ranking = r instanceof Integer i ? i : 0;
            Object id = props == null ? null : props.get("service.id");
            this.serviceId = id instanceof Number n ? n.longValue() : Long.MAX_VALUE;
            this.seq = seq;
            Object inlineProp = props == null ? null : props.get(PeerHandler.INLINE);
            this.inline = Boolean.TRUE.equals(inlineProp) || "true".equals(inlineProp);
            if (types.isEmpty()) {
                LOG.warn("peer handler {} has no message types in {}; it gets no messages", handler,
                        PeerHandler.MESSAGE_TYPES);
            }
        }
    }
}

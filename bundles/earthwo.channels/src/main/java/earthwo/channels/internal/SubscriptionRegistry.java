package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelPattern;
import earthwo.api.channels.Channels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open subscriptions of this node: which ones a channel's message goes to (a lookup by name,
 * then a scan of the pattern subscriptions only), the node's interest as a whole (the union of
 * every subscription's filter, what the other nodes are told), and the count per client
 * connection, bounded by {@link Channels#MAX_SUBSCRIPTIONS_PER_CONNECTION}.
 */
final class SubscriptionRegistry {

    private final Map<Long, LocalSubscription> all = new ConcurrentHashMap<>();
    private final Map<String, List<LocalSubscription>> byName = new ConcurrentHashMap<>();
    private final List<LocalSubscription> withPatterns = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> perConnection = new HashMap<>();
    private final Map<Long, String> connectionOf = new HashMap<>();

    /** Adds a subscription; TOO_LARGE when its connection holds the most it may. */
    void add(LocalSubscription s) {
        String connection = s.request().connection().orElse(null);
        synchronized (this) {
            if (connection != null) {
                int held = perConnection.getOrDefault(connection, 0);
                if (held >= Channels.MAX_SUBSCRIPTIONS_PER_CONNECTION) {
                    throw new EarthwoException(ErrorCode.TOO_LARGE, "connection " + connection + " holds "
                            + held + " subscriptions, the most one connection may");
                }
                perConnection.put(connection, held + 1);
                connectionOf.put(s.id(), connection);
            }
            all.put(s.id(), s);
            for (String name : s.filter().names()) {
                byName.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(s);
            }
            if (!s.filter().patterns().isEmpty()) {
                withPatterns.add(s);
            }
        }
    }

    /** Removes it; false if it was not there. */
    boolean remove(LocalSubscription s) {
        synchronized (this) {
            if (all.remove(s.id()) == null) {
                return false;
            }
            String connection = connectionOf.remove(s.id());
            if (connection != null) {
                perConnection.computeIfPresent(connection, (c, n) -> n > 1 ? n - 1 : null);
            }
            for (String name : s.filter().names()) {
                List<LocalSubscription> list = byName.get(name);
                if (list != null) {
                    list.remove(s);
                    if (list.isEmpty()) {
                        byName.remove(name);
                    }
                }
            }
            withPatterns.remove(s);
            return true;
        }
    }

    /** The subscriptions a message of the channel goes to, each once. */
    Collection<LocalSubscription> matching(String channel) {
        List<LocalSubscription> named = byName.getOrDefault(channel, List.of());
        List<LocalSubscription> out = null;
        for (LocalSubscription s : withPatterns) {
            if (matchesPattern(s, channel)) {
                if (out == null) {
                    out = new ArrayList<>(named);
                }
                // A subscription with both a name and a pattern of this channel gets it once.
                if (!s.filter().names().contains(channel)) {
                    out.add(s);
                }
            }
        }
        return out == null ? named : out;
    }

    private static boolean matchesPattern(LocalSubscription s, String channel) {
        for (ChannelPattern p : s.filter().patterns()) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    /** The union of every subscription's filter. */
    synchronized Interest interest() {
        Set<String> names = new HashSet<>(byName.keySet());
        Set<ChannelPattern> patterns = new HashSet<>();
        for (LocalSubscription s : withPatterns) {
            patterns.addAll(s.filter().patterns());
        }
        return new Interest(names, patterns);
    }

    Collection<LocalSubscription> all() {
        return all.values();
    }

    Set<String> namesSubscribed() {
        return byName.keySet();
    }

    int size() {
        return all.size();
    }
}

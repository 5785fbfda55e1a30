package earthwo.channels.internal;

import earthwo.api.channels.ChannelPattern;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which channels some subscribers want: names, and patterns. The filter of one subscription, and
 * the union over a node's subscriptions that it tells the other nodes. Immutable.
 */
final class Interest {

    static final Interest NONE = new Interest(Set.of(), List.of());

    private final Set<String> names;
    private final List<ChannelPattern> patterns;

    Interest(Collection<String> names, Collection<ChannelPattern> patterns) {
        this.names = Set.copyOf(names);
        this.patterns = List.copyOf(patterns);
    }

    /** From the texts of a request (already checked). */
    static Interest of(Collection<String> names, Collection<String> patternTexts) {
        List<ChannelPattern> compiled = new ArrayList<>();
        for (String p : patternTexts) {
            ChannelPattern c = ChannelPattern.compile(p);
            if (!c.isLiteral()) {
                compiled.add(c);
            }
        }
        Set<String> all = new java.util.HashSet<>(names);
        // A pattern without a wildcard is a name: matched by a set lookup, not a scan.
        patternTexts.stream().filter(p -> p.indexOf('*') < 0).forEach(all::add);
        return new Interest(all, compiled);
    }

    boolean wants(String channel) {
        if (names.contains(channel)) {
            return true;
        }
        for (ChannelPattern p : patterns) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return names.isEmpty() && patterns.isEmpty();
    }

    Set<String> names() {
        return names;
    }

    List<ChannelPattern> patterns() {
        return patterns;
    }

    List<String> patternTexts() {
        return patterns.stream().map(ChannelPattern::text).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Interest i && i.names.equals(names) && Set.copyOf(i.patterns).equals(Set.copyOf(patterns));
    }

    @Override
    public int hashCode() {
        return names.hashCode() * 31 + Set.copyOf(patterns).hashCode();
    }

    @Override
    public String toString() {
        return names.size() + " channels, " + patterns.size() + " patterns";
    }
}

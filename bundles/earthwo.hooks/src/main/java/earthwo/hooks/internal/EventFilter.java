package earthwo.hooks.internal;

import earthwo.api.Keys;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which events a hook takes ({@link earthwo.api.hooks.KeyHook#PREFIXES} and
 * {@link earthwo.api.hooks.KeyHook#EVENTS}): keys starting with one of the prefixes (none: every
 * key) and events of the listed types (none: every type). A GAP always passes: it tells the hook
 * it missed events, whatever it filters.
 */
final class EventFilter {

    private final List<String> prefixes;
    private final List<byte[]> prefixBytes;
    private final Set<EventType> types;

    EventFilter(List<String> prefixes, Set<EventType> types) {
        this.prefixes = List.copyOf(prefixes);
        List<byte[]> bytes = new ArrayList<>(prefixes.size());
        for (String p : prefixes) {
            bytes.add(Keys.utf8(p));
        }
        this.prefixBytes = bytes;
        this.types = types.isEmpty() ? Collections.unmodifiableSet(EnumSet.allOf(EventType.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(types));
    }

    static EventFilter all() {
        return new EventFilter(List.of(), Set.of());
    }

    boolean accepts(KeyEvent e) {
        if (e.type() == EventType.GAP) {
            return true;
        }
        if (!types.contains(e.type())) {
            return false;
        }
        if (prefixBytes.isEmpty()) {
            return true;
        }
        for (byte[] p : prefixBytes) {
            if (Keys.hasPrefix(e.key(), p)) {
                return true;
            }
        }
        return false;
    }

    /** The events of {@code batch} this filter accepts, in their order. */
    List<KeyEvent> select(List<KeyEvent> batch) {
        List<KeyEvent> out = new ArrayList<>(batch.size());
        for (KeyEvent e : batch) {
            if (accepts(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The prefixes as shown by hook:list and the status: comma-separated, {@code *} for every key. */
    String prefixesShown() {
        return prefixes.isEmpty() ? "*" : String.join(",", prefixes);
    }

    /** The event types as shown: comma-separated, {@code *} for every type. */
    String typesShown() {
        if (types.containsAll(EnumSet.complementOf(EnumSet.of(EventType.GAP)))) {
            return "*";
        }
        List<String> names = new ArrayList<>();
        for (EventType t : types) {
            if (t != EventType.GAP) {
                names.add(t.name());
            }
        }
        return String.join(",", names);
    }
}

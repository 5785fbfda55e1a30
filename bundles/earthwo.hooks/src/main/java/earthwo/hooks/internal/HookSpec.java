package earthwo.hooks.internal;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyHook;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A hook service as the dispatcher sees it: its name, the bundle that registered it, its
 * service id, its filter, and its batch size, delivery timeout and longest back-off (its own
 * service properties, else the node's settings).
 */
record HookSpec(String name, String bundle, long serviceId, EventFilter filter, int batch, long timeoutMs,
                long maxBackoffMs) {

    /**
     * What a hook name may be: it names a thread, status keys ({@code hooks.NAME.delivered}) and
     * the argument of {@code hook:pause}, and the store keeps positions under it.
     */
    static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * Reads a hook's service properties. Throws IllegalArgumentException naming the property
     * when the name is missing or malformed, an event type is unknown or a number is out of range.
     */
    static HookSpec parse(Map<String, ?> props, String bundle, long serviceId, HooksSettings defaults) {
        Object n = props.get(KeyHook.NAME);
        if (!(n instanceof String name) || name.isEmpty()) {
            throw new IllegalArgumentException("a KeyHook service needs the property " + KeyHook.NAME
                    + " (a String), not " + describe(n));
        }
        if (!NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("hook name '" + name + "' (" + KeyHook.NAME
                    + ") must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        // A prefix may hold a comma, so a single String is one prefix; event types are also
        // accepted comma-separated ("CREATED,DELETED").
        List<String> prefixes = strings(props.get(KeyHook.PREFIXES), KeyHook.PREFIXES, false);
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (String t : strings(props.get(KeyHook.EVENTS), KeyHook.EVENTS, true)) {
            try {
                types.add(EventType.valueOf(t.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(KeyHook.EVENTS + " of hook '" + name + "': unknown event type '" + t
                        + "' (known: " + List.of(EventType.values()) + ")");
            }
        }
        int batch = (int) number(props, KeyHook.BATCH, name, defaults.batch, HooksSettings.BATCH_MIN,
                HooksSettings.BATCH_MAX);
        long timeout = number(props, KeyHook.TIMEOUT_MS, name, defaults.timeoutMs, HooksSettings.TIMEOUT_MIN,
                HooksSettings.TIMEOUT_MAX);
        long backoff = number(props, KeyHook.MAX_BACKOFF_MS, name, defaults.maxBackoffMs,
                HooksSettings.MAX_BACKOFF_MIN, HooksSettings.MAX_BACKOFF_MAX);
        return new HookSpec(name, bundle, serviceId, new EventFilter(prefixes, types), batch, timeout, backoff);
    }

    /**
     * A String (split at commas when {@code split}), String[], Collection or other array of
     * Strings as a list, empty ones left out; null as an empty list.
     */
    private static List<String> strings(Object v, String property, boolean split) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof String s && !split) {
            if (!s.isEmpty()) {
                out.add(s);
            }
            return out;
        }
        if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        Collection<?> items;
        if (v instanceof Collection<?> c) {
            items = c;
        } else if (v.getClass().isArray()) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                l.add(Array.get(v, i));
            }
            items = l;
        } else {
            throw new IllegalArgumentException(property + " must be a String or String[], not " + describe(v));
        }
        for (Object o : items) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException(property + " must hold Strings, not " + describe(o));
            }
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static long number(Map<String, ?> props, String property, String name, long defaultValue, long min,
                               long max) {
        Object v = props.get(property);
        if (v == null) {
            return defaultValue;
        }
        long n;
        if (v instanceof Number num) {
            n = num.longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(property + " of hook '" + name + "' must be a number, not '" + s + "'");
            }
        } else {
            throw new IllegalArgumentException(property + " of hook '" + name + "' must be a number, not " + describe(v));
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(property + " of hook '" + name + "' must be between " + min + " and "
                    + max + ", not " + n);
        }
        return n;
    }

    private static String describe(Object v) {
        return v == null ? "nothing" : v.getClass().getSimpleName() + " " + v;
    }
}

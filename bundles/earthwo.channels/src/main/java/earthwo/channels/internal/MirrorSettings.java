package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.NodeProperties;
import earthwo.api.channels.ChannelNames;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyHook;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One channel mirror's settings (DESIGN §7, "events of hooks can be mirrored to channels"), read
 * from its factory configuration: PID {@value #PID}, e.g. the file
 * {@code deploy/earthwo.channels.mirror-orders.cfg}, or {@code channel:mirror}. The keys belong to
 * one mirror, not to the node: they are read from the configuration only, never from framework
 * properties, and are not in {@code conf/earthwo.properties}.
 */
final class MirrorSettings {

    static final String PID = "earthwo.channels.mirror";

    /** Required: the mirror's name; its hook is named {@value #HOOK_NAME_PREFIX}NAME. */
    static final String NAME = "name";
    /**
     * The hook name keeps the delivery position and goes into a thread name, an LDAP filter and a
     * configuration file name; lower case, so two names never differ only in case.
     */
    static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String NAME_RULE = "1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";
    static final String HOOK_NAME_PREFIX = "channel-mirror-";

    /** Required: the channel the events are published on (a name, not a pattern). */
    static final String CHANNEL = "channel";

    /** Optional: only keys starting with one of these (UTF-8); comma-separated, or an array of prefixes. */
    static final String PREFIXES = "prefixes";

    /** Optional: only these event types (comma-separated or an array); a GAP always comes. */
    static final String EVENTS = "events";

    /** Whether the messages carry the new value of CREATED and UPDATED events. */
    static final String VALUES = "values";
    static final String VALUES_DEFAULT = "false";

    /** With {@value #VALUES}: a value longer than this (bytes) is left out of its message, which says so. */
    static final String VALUES_MAX_BYTES = "values.max.bytes";
    static final String VALUES_MAX_BYTES_DEFAULT = "4096";
    static final int VALUES_MAX_BYTES_LIMIT = 256 * 1024;

    /** The event types a mirror may be limited to. */
    static final List<EventType> CHANGES = List.of(EventType.CREATED, EventType.UPDATED, EventType.DELETED,
            EventType.EXPIRED);

    /** Framework properties are not consulted: these keys are per mirror. */
    private static final UnaryOperator<String> NO_FRAMEWORK = k -> null;

    final String name;
    final String channel;
    final List<String> prefixes;
    final List<EventType> events;
    final boolean values;
    final int valuesMaxBytes;

    private MirrorSettings(String name, String channel, List<String> prefixes, List<EventType> events, boolean values,
                           int valuesMaxBytes) {
        this.name = name;
        this.channel = channel;
        this.prefixes = prefixes;
        this.events = events;
        this.values = values;
        this.valuesMaxBytes = valuesMaxBytes;
    }

    /** Resolves and validates every key; throws IllegalArgumentException naming the bad one. */
    static MirrorSettings resolve(Map<String, ?> config) {
        Object n = config.get(NAME);
        String name = n == null ? "" : String.valueOf(n).trim();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("setting " + NAME + " is required (the mirror's name)");
        }
        checkName(name);
        return new MirrorSettings(name, channel(config), list(config.get(PREFIXES)), events(config),
                NodeProperties.getBoolean(VALUES, config, NO_FRAMEWORK, VALUES_DEFAULT),
                NodeProperties.getInt(VALUES_MAX_BYTES, config, NO_FRAMEWORK, VALUES_MAX_BYTES_DEFAULT, 0,
                        VALUES_MAX_BYTES_LIMIT));
    }

    /** Throws IllegalArgumentException unless {@code name} is a mirror name. */
    static void checkName(String name) {
        if (name == null || !NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("a mirror name is " + NAME_RULE + ", not '" + name + "'");
        }
    }

    private static String channel(Map<String, ?> config) {
        Object v = config.get(CHANNEL);
        String channel = v == null ? "" : String.valueOf(v).trim();
        if (channel.isEmpty()) {
            throw new IllegalArgumentException("setting " + CHANNEL + " is required (the channel to publish on)");
        }
        try {
            ChannelNames.checkName(channel);
        } catch (EarthwoException e) {
            throw new IllegalArgumentException("setting " + CHANNEL + ": " + e.getMessage());
        }
        return channel;
    }

    private static List<EventType> events(Map<String, ?> config) {
        List<EventType> events = new ArrayList<>();
        for (String text : list(config.get(EVENTS))) {
            EventType t = CHANGES.stream().filter(c -> c.name().equals(text.toUpperCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("setting " + EVENTS + ": unknown event '" + text
                            + "' (known: " + CHANGES + "; a GAP always comes)"));
            if (!events.contains(t)) {
                events.add(t);
            }
        }
        return List.copyOf(events);
    }

    /** A comma-separated string, or an array or collection of items (each taken whole), trimmed, without empties. */
    static List<String> list(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<String> items = new ArrayList<>();
        if (value instanceof Collection<?> c) {
            c.forEach(item -> items.add(String.valueOf(item)));
        } else if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(String.valueOf(Array.get(value, i)));
            }
        } else {
            items.addAll(List.of(String.valueOf(value).split(",")));
        }
        for (String item : items) {
            String p = item.trim();
            if (!p.isEmpty() && !out.contains(p)) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    String hookName() {
        return HOOK_NAME_PREFIX + name;
    }

    /** The KeyHook service properties: the hook's name and filters (delivery limits are the node's). */
    Map<String, Object> serviceProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(KeyHook.NAME, hookName());
        if (!prefixes.isEmpty()) {
            p.put(KeyHook.PREFIXES, prefixes.toArray(new String[0]));
        }
        if (!events.isEmpty()) {
            p.put(KeyHook.EVENTS, events.stream().map(Enum::name).toArray(String[]::new));
        }
        return p;
    }

    /** One line: name, channel, filters, values. */
    String describe() {
        return "mirror " + name + " -> " + channel
                + "  prefixes=" + (prefixes.isEmpty() ? "(all)" : String.join(",", prefixes))
                + "  events=" + (events.isEmpty() ? "(all)" : String.join(",", events.stream().map(Enum::name).toList()))
                + "  values=" + (values ? "up to " + valuesMaxBytes + " bytes" : "no");
    }

    @Override
    public String toString() {
        return describe();
    }
}

package earthwo.hooks.webhook.internal;

import earthwo.api.NodeProperties;
import earthwo.api.SecretFiles;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyHook;

import java.io.IOException;
import java.lang.reflect.Array;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One webhook's settings, read from its factory configuration (PID {@value #PID}, e.g. the file
 * {@code deploy/earthwo.hooks.webhook-orders.cfg}), each key with its default and validation.
 * The keys belong to one webhook, not to the node, so they are read from the configuration only,
 * never from framework properties, and are not in {@code conf/earthwo.properties}.
 *
 * <p>The secret is held as a {@link Secret}, which renders as "set": no rendering of these
 * settings, of the service properties or of a refusal message contains it.
 */
final class WebhookSettings {

    static final String PID = "earthwo.hooks.webhook";

    /** Required: the hook's unique name ({@link KeyHook#NAME}); the node keeps its delivery position under it. */
    static final String NAME = "name";
    /**
     * Letters, digits, '.', '_', '-', starting with a letter or digit (as the dispatcher requires
     * of every hook): the name goes into a header, an LDAP filter and a configuration file name.
     */
    static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final String NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /** Required: where batches are POSTed; http:// or https:// only. */
    static final String URL = "url";

    /** Optional, comma-separated: only keys starting with one of these (UTF-8). */
    static final String PREFIXES = "prefixes";

    /** Optional, comma-separated {@link EventType} names: only these (GAP always comes). */
    static final String EVENTS = "events";

    /** At most this many events per POST. */
    static final String BATCH = "batch.size";
    static final String BATCH_DEFAULT = "100";

    /** Connect and request timeout of a POST, in ms; also the node's limit on a delivery of this hook. */
    static final String TIMEOUT = "timeout.ms";
    static final String TIMEOUT_DEFAULT = "10000";

    /** Longest pause between attempts of a failing batch, in ms. */
    static final String BACKOFF_MAX = "backoff.max.ms";
    static final String BACKOFF_MAX_DEFAULT = "30000";

    /**
     * Optional HMAC key signing every body. Prefer {@link #SECRET_FILE}: a key given here is a
     * configuration property like any other, so ConfigAdmin stores it and the node's generic admin
     * commands (cm:getConfiguration, scr:info) show it; this bundle never does.
     */
    static final String SECRET = "secret";

    /** Optional absolute path of a file holding the HMAC key (read at activation). */
    static final String SECRET_FILE = "secret.file";

    /** Framework properties are not consulted: these keys are per webhook. */
    private static final UnaryOperator<String> NO_FRAMEWORK = k -> null;

    final String name;
    final URI url;
    final List<String> prefixes;
    final List<EventType> events;
    final int batch;
    final long timeoutMs;
    final long backoffMaxMs;
    /** Null: bodies are not signed. */
    final Secret secret;

    private WebhookSettings(String name, URI url, List<String> prefixes, List<EventType> events, int batch,
                            long timeoutMs, long backoffMaxMs, Secret secret) {
        this.name = name;
        this.url = url;
        this.prefixes = prefixes;
        this.events = events;
        this.batch = batch;
        this.timeoutMs = timeoutMs;
        this.backoffMaxMs = backoffMaxMs;
        this.secret = secret;
    }

    /** Resolves and validates every key; throws IllegalArgumentException naming the bad one (never its secret). */
    static WebhookSettings resolve(Map<String, ?> config) {
        return new WebhookSettings(
                name(config),
                url(config),
                list(config.get(PREFIXES)),
                events(config),
                NodeProperties.getInt(BATCH, config, NO_FRAMEWORK, BATCH_DEFAULT, 1, 1000),
                NodeProperties.getLong(TIMEOUT, config, NO_FRAMEWORK, TIMEOUT_DEFAULT, 100, 300_000),
                NodeProperties.getLong(BACKOFF_MAX, config, NO_FRAMEWORK, BACKOFF_MAX_DEFAULT, 100, 3_600_000),
                secret(config));
    }

    /** The name alone, or null when absent: for messages about a configuration that is refused. */
    static String nameOf(Map<String, ?> config) {
        Object v = config.get(NAME);
        return v == null ? null : String.valueOf(v).trim();
    }

    private static String name(Map<String, ?> config) {
        String name = nameOf(config);
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("setting " + NAME + " is required (the hook's unique name)");
        }
        if (!NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("setting " + NAME + " must be " + NAME_RULE + ", not '" + name + "'");
        }
        return name;
    }

    private static URI url(Map<String, ?> config) {
        Object v = config.get(URL);
        String s = v == null ? "" : String.valueOf(v).trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("setting " + URL + " is required (http:// or https://)");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("setting " + URL + " is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("setting " + URL + " must start with http:// or https://, not '" + s + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("setting " + URL + " has no host: '" + s + "'");
        }
        // Credentials in the URL would be shown by hook:webhooks and in every log line naming the URL.
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("setting " + URL + " must not contain user information (user:password@);"
                    + " sign the requests with " + SECRET_FILE + " instead");
        }
        return uri;
    }

    private static List<EventType> events(Map<String, ?> config) {
        List<EventType> events = new ArrayList<>();
        for (String n : list(config.get(EVENTS))) {
            EventType t;
            try {
                t = EventType.valueOf(n.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("setting " + EVENTS + ": unknown event '" + n + "' (known: "
                        + Arrays.toString(EventType.values()) + ")");
            }
            if (!events.contains(t)) {
                events.add(t);
            }
        }
        return List.copyOf(events);
    }

    private static Secret secret(Map<String, ?> config) {
        Object inline = config.get(SECRET);
        Object file = config.get(SECRET_FILE);
        boolean hasInline = inline != null && !String.valueOf(inline).isEmpty();
        boolean hasFile = file != null && !String.valueOf(file).trim().isEmpty();
        if (hasInline && hasFile) {
            throw new IllegalArgumentException("settings " + SECRET + " and " + SECRET_FILE + " exclude each other");
        }
        if (hasInline) {
            String s = String.valueOf(inline).strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("setting " + SECRET + " is blank");
            }
            return new Secret(s);
        }
        if (!hasFile) {
            return null;
        }
        Path path = Path.of(String.valueOf(file).trim());
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("setting " + SECRET_FILE + " must be an absolute path, not '" + path + "'");
        }
        String s;
        try {
            s = SecretFiles.read(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("setting " + SECRET_FILE + ": cannot read " + path + ": " + e.getMessage());
        }
        if (s == null) {
            throw new IllegalArgumentException("setting " + SECRET_FILE + ": " + path + " is missing or empty");
        }
        return new Secret(s);
    }

    /** A comma-separated string, or an array or collection of them (a typed .config file), trimmed, without empties. */
    static List<String> list(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<Object> items = new ArrayList<>();
        if (value instanceof Collection<?> c) {
            items.addAll(c);
        } else if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(Array.get(value, i));
            }
        } else {
            items.add(value);
        }
        for (Object item : items) {
            for (String part : String.valueOf(item).split(",")) {
                String p = part.trim();
                if (!p.isEmpty() && !out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The KeyHook service properties: the name, filters and delivery limits; never the secret. */
    Map<String, Object> serviceProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(KeyHook.NAME, name);
        if (!prefixes.isEmpty()) {
            p.put(KeyHook.PREFIXES, prefixes.toArray(new String[0]));
        }
        if (!events.isEmpty()) {
            p.put(KeyHook.EVENTS, events.stream().map(Enum::name).toArray(String[]::new));
        }
        p.put(KeyHook.BATCH, batch);
        p.put(KeyHook.TIMEOUT_MS, timeoutMs);
        p.put(KeyHook.MAX_BACKOFF_MS, backoffMaxMs);
        return p;
    }

    @Override
    public String toString() {
        return "webhook " + name + " -> " + url + ", prefixes " + (prefixes.isEmpty() ? "(all)" : String.join(",", prefixes))
                + ", events " + (events.isEmpty() ? "(all)" : events.stream().map(Enum::name).collect(Collectors.joining(",")))
                + ", batch " + batch + ", timeout " + timeoutMs + " ms, backoff max " + backoffMaxMs + " ms, secret "
                + (secret == null ? "none" : secret);
    }
}

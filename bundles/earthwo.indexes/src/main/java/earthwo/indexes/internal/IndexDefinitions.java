package earthwo.indexes.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexType;
import earthwo.api.indexes.Indexes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The cluster's index definitions, as kept in the cluster document {@value #DOCUMENT}: the
 * indexes by name, the next id to give, and the ids of dropped indexes whose entries nodes still
 * remove. Immutable; a change makes a new one, written with compare-and-set.
 *
 * <pre>
 * {"format": 1, "next": 4, "indexes": [{"id": 3, "name": "email", "extractor": "json:$.email",
 *  "type": "string", "created": 1764950000000}], "dropped": [1, 2]}
 * </pre>
 */
final class IndexDefinitions {

    static final String DOCUMENT = "indexes";
    static final int FORMAT = 1;
    /** Dropped ids remembered, so nodes that were away still remove their entries; the oldest go first. */
    static final int MAX_DROPPED = 1_000;

    static final IndexDefinitions NONE = new IndexDefinitions(1, Map.of(), List.of());

    private final int next;
    private final Map<String, IndexDefinition> byName;
    private final List<Integer> dropped;

    private IndexDefinitions(int next, Map<String, IndexDefinition> byName, List<Integer> dropped) {
        this.next = next;
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        this.dropped = List.copyOf(dropped);
    }

    /** The definitions in a document's content; empty content (no document yet) is none. */
    static IndexDefinitions parse(Optional<String> content) {
        if (content.isEmpty() || content.get().isBlank()) {
            return NONE;
        }
        try {
            JsonObject doc = JsonParser.parseString(content.get()).getAsJsonObject();
            int format = doc.get("format").getAsInt();
            if (format != FORMAT) {
                throw new IllegalStateException("index definitions of format " + format + "; this bundle reads format "
                        + FORMAT);
            }
            Map<String, IndexDefinition> byName = new LinkedHashMap<>();
            for (JsonElement e : doc.getAsJsonArray("indexes")) {
                JsonObject o = e.getAsJsonObject();
                IndexDefinition d = new IndexDefinition(o.get("id").getAsInt(), o.get("name").getAsString(),
                        o.get("extractor").getAsString(), IndexType.parse(o.get("type").getAsString()),
                        o.get("created").getAsLong());
                byName.put(d.name(), d);
            }
            List<Integer> dropped = new ArrayList<>();
            for (JsonElement e : doc.getAsJsonArray("dropped")) {
                dropped.add(e.getAsInt());
            }
            return new IndexDefinitions(doc.get("next").getAsInt(), byName, dropped);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | ClassCastException | EarthwoException e) {
            throw new IllegalStateException("the cluster's index definitions cannot be read: " + e.getMessage(), e);
        }
    }

    String toJson() {
        JsonObject doc = new JsonObject();
        doc.addProperty("format", FORMAT);
        doc.addProperty("next", next);
        JsonArray indexes = new JsonArray();
        for (IndexDefinition d : byName.values()) {
            JsonObject o = new JsonObject();
            o.addProperty("id", d.id());
            o.addProperty("name", d.name());
            o.addProperty("extractor", d.extractor());
            o.addProperty("type", d.type().name().toLowerCase(Locale.ROOT));
            o.addProperty("created", d.createdAt());
            indexes.add(o);
        }
        doc.add("indexes", indexes);
        JsonArray gone = new JsonArray();
        dropped.forEach(gone::add);
        doc.add("dropped", gone);
        return doc.toString();
    }

    /** These definitions and a new index (its spec checked by the caller); BAD_REQUEST for a taken name or one too many. */
    IndexDefinitions with(String name, String extractor, IndexType type, long now) {
        if (byName.containsKey(name)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "an index named '" + name + "' exists already ("
                    + byName.get(name).extractor() + "); drop it first to define it anew");
        }
        if (byName.size() >= Indexes.MAX_INDEXES) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "the cluster has " + byName.size() + " indexes, the most it"
                    + " may have; drop one first");
        }
        Map<String, IndexDefinition> more = new LinkedHashMap<>(byName);
        more.put(name, new IndexDefinition(next, name, extractor, type, now));
        return new IndexDefinitions(next + 1, more, dropped);
    }

    /** These definitions without the index; BAD_REQUEST if there is none of that name. */
    IndexDefinitions without(String name) {
        IndexDefinition gone = require(name);
        Map<String, IndexDefinition> fewer = new LinkedHashMap<>(byName);
        fewer.remove(name);
        List<Integer> ids = new ArrayList<>(dropped);
        ids.add(gone.id());
        while (ids.size() > MAX_DROPPED) {
            ids.remove(0);
        }
        return new IndexDefinitions(next, fewer, ids);
    }

    /** The index of that name; BAD_REQUEST naming the indexes there are if none. */
    IndexDefinition require(String name) {
        IndexDefinition d = byName.get(name);
        if (d == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "no index named '" + name + "'"
                    + (byName.isEmpty() ? " (none is defined)" : " (indexes: " + String.join(", ", new TreeSet<>(byName.keySet())) + ")"));
        }
        return d;
    }

    Optional<IndexDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    List<IndexDefinition> all() {
        return List.copyOf(byName.values());
    }

    List<Integer> dropped() {
        return dropped;
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }
}

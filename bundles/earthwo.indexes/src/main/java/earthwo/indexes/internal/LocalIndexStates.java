package earthwo.indexes.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import earthwo.api.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this node knows of its indexes' entries, by index id, kept in {@code <data>/indexes.json}
 * so that a restart neither builds a complete index again nor trusts an incomplete one:
 * <ul>
 *   <li>{@link Local#BUILDING}: every write since the index was defined is indexed, the records
 *       from before may not be yet: a backfill (again) completes it;</li>
 *   <li>{@link Local#READY}: complete;</li>
 *   <li>{@link Local#DIRTY}: writes went unindexed while its extractor was missing: its entries
 *       are removed and it is built anew once the extractor is back.</li>
 * </ul>
 * An id not in the file has no entries on this node. Replaced whole ({@link AtomicFiles}).
 */
final class LocalIndexStates {

    enum Local { BUILDING, READY, DIRTY }

    static final String FILE = "indexes.json";

    private static final Logger LOG = LoggerFactory.getLogger(LocalIndexStates.class);

    private final Path file;
    private final Map<Integer, Local> states = new TreeMap<>();
    /** True when the file was unreadable: the caller treats every index as dirty. */
    private boolean unreadable;

    LocalIndexStates(Path dataDir) {
        this.file = dataDir.resolve(FILE);
        load();
    }

    /** Whether the file could not be read: then no index's entries can be trusted. */
    synchronized boolean wasUnreadable() {
        return unreadable;
    }

    synchronized Local get(int id) {
        return states.get(id);
    }

    synchronized void set(int id, Local state) {
        if (states.get(id) != state) {
            states.put(id, state);
            save();
        }
    }

    synchronized void forget(int id) {
        if (states.remove(id) != null) {
            save();
        }
    }

    synchronized Map<Integer, Local> all() {
        return Map.copyOf(states);
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                states.put(Integer.parseInt(e.getKey()), Local.valueOf(e.getValue().getAsString()));
            }
        } catch (IOException | JsonParseException | IllegalStateException | IllegalArgumentException e) {
            // Unreadable: trust nothing, so every index is built again (its entries are removed first).
            LOG.warn("indexes: {} cannot be read ({}); every index is built again on this node", file, e.toString());
            states.clear();
            unreadable = true;
        }
    }

    private void save() {
        JsonObject o = new JsonObject();
        states.forEach((id, s) -> o.addProperty(String.valueOf(id), s.name()));
        try {
            AtomicFiles.replace(file, o.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Kept in memory; after a restart the index is built again, which is safe.
            LOG.warn("indexes: cannot write {} ({}); a restart builds the indexes again", file, e.toString());
        }
    }
}

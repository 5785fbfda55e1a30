package earthwo.api.admin;

import java.util.Map;

/**
 * A part of a node's status (whiteboard): each bundle registers one with the facts it owns
 * (storage size, segment map epoch, connections, ...). `node:status` and the protocol's STATUS
 * request show the union of every registered source, keys prefixed by {@link #name()}.
 */
public interface StatusSource {

    /** Short name of the part, e.g. "storage"; prefixes its keys ("storage.records"). */
    String name();

    /** Current facts; values are formatted with {@code String.valueOf}. */
    Map<String, Object> status();
}

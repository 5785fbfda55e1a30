package earthwo.replication.internal;

import earthwo.api.Record;
import earthwo.api.hooks.EventType;

import java.util.concurrent.CompletionStage;

/**
 * Sends a committed record to another replica of its segment and completes when that replica has
 * applied it durably. This is the seam where the node-to-node link plugs in; until it exists the
 * coordinator uses {@link NoRemoteTransport}.
 */
interface ReplicaTransport {

    CompletionStage<Void> send(int nodeId, int segment, Record record);

    /**
     * As {@link #send(int, int, Record)}, with the type of the change's event, decided where it was
     * coordinated, so that the replica's outbox records the same event (null: the replica decides).
     */
    default CompletionStage<Void> send(int nodeId, int segment, Record record, EventType event) {
        return send(nodeId, segment, record);
    }
}

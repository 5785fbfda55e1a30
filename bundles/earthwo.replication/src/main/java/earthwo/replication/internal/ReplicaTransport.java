package earthwo.replication.internal;

import earthwo.api.Record;

import java.util.concurrent.CompletionStage;

/**
 * Sends a committed record to another replica of its segment and completes when that replica has
 * applied it durably. This is the seam where the node-to-node link plugs in; until it exists the
 * coordinator uses {@link NoRemoteTransport}.
 */
interface ReplicaTransport {

    CompletionStage<Void> send(int nodeId, int segment, Record record);
}

package earthwo.api.storage;

import earthwo.api.Record;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.Map;

/**
 * Durable hinted handoff (provided by the storage bundle, kept in the node's JE environment):
 * writes a replica missed while it was down, kept until they are replayed to it.
 */
@ProviderType
public interface HintStore {

    /** Durably records that {@code node} still needs {@code record} of {@code segment}. */
    void add(int node, int segment, Record record);

    /** The oldest hints for a node, at most {@code limit}, in the order they were added. */
    List<Hint> peek(int node, int limit);

    /** Removes a hint once the node has acknowledged it. */
    void remove(Hint hint);

    /** Hints waiting, per target node. */
    Map<Integer, Long> pending();

    /** A write owed to one node. */
    final class Hint {
        private final long sequence;
        private final int node;
        private final int segment;
        private final Record record;

        public Hint(long sequence, int node, int segment, Record record) {
            this.sequence = sequence;
            this.node = node;
            this.segment = segment;
            this.record = record;
        }

        public long sequence() {
            return sequence;
        }

        public int node() {
            return node;
        }

        public int segment() {
            return segment;
        }

        public Record record() {
            return record;
        }
    }
}

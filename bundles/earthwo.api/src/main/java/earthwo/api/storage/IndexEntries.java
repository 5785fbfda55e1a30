package earthwo.api.storage;

import java.util.List;

/**
 * The secondary index entries of records, as the indexes bundle defines them: the store asks for
 * them inside the transaction of every write (on the coordinator and on every replica apply, in
 * anti-entropy repair and hint replay alike), so a record and its entries change together.
 *
 * <p>An entry is an index id (4 bytes, big-endian) followed by an encoded index value that
 * delimits itself (the store appends the record's key to it and must be able to find where the
 * key starts: the entry's length is kept with it). Entries sort by their bytes, unsigned, then by
 * key, which is the order of an index's query results.
 *
 * <p>Runs inside every write, under the record's lock: it must be fast, thread-safe and not
 * block. It should not throw (an extractor's failure on one record is the implementation's to
 * count); if it does, the store keeps the key as an unindexed change ({@link
 * SegmentStore#catchUpIndexes}) rather than fail the write.
 */
public interface IndexEntries {

    /**
     * The entries of a live record's value (never called for a tombstone); empty when no index
     * takes the record. The same key and value always give the same entries while the set of
     * indexes stays the same.
     */
    List<byte[]> entriesOf(int segment, byte[] key, byte[] value);
}

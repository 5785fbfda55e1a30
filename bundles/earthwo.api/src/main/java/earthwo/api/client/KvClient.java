package earthwo.api.client;

import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to an Earthwo cluster. Sync methods block; async methods return
 * {@link CompletableFuture}s and may be issued many at a time, pipelined on one connection.
 * Failures are {@link earthwo.api.EarthwoException}s. Close it when done.
 */
public interface KvClient extends AutoCloseable {

    CompletableFuture<Optional<Record>> getAsync(byte[] key);

    CompletableFuture<Version> putAsync(byte[] key, byte[] value, WriteOptions options);

    CompletableFuture<Boolean> deleteAsync(byte[] key, WriteOptions options);

    CompletableFuture<ScanPage> scanAsync(byte[] prefix, byte[] startAfter, int limit);

    /** The node's status as name/value pairs (node id, segments, store size, ...). */
    CompletableFuture<Map<String, String>> statusAsync();

    default Optional<Record> get(byte[] key) {
        return earthwo.api.Futures.join(getAsync(key));
    }

    default Version put(byte[] key, byte[] value) {
        return earthwo.api.Futures.join(putAsync(key, value, WriteOptions.DEFAULT));
    }

    default Version put(byte[] key, byte[] value, WriteOptions options) {
        return earthwo.api.Futures.join(putAsync(key, value, options));
    }

    default boolean delete(byte[] key) {
        return earthwo.api.Futures.join(deleteAsync(key, WriteOptions.DEFAULT));
    }

    default ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        return earthwo.api.Futures.join(scanAsync(prefix, startAfter, limit));
    }

    /** Runs an admin command on the node (needs the admin secret in the client config). */
    CompletableFuture<String> execAsync(String commandLine);

    @Override
    void close();
}

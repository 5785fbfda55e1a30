package earthwo.storage.internal;

import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.LockConflictException;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where every operation on a store's JE environment passes: it runs only while the store is open
 * ({@link #close()} waits for it, through an {@link OperationGate}), and JE's failures leave it
 * as typed errors: a lock wait that timed out is BUSY (the client may retry), any other JE
 * failure INTERNAL (logged here, once), a closed store UNAVAILABLE, a segment out of range
 * BAD_REQUEST.
 */
final class JeOperationGuard {

    private static final Logger LOG = LoggerFactory.getLogger(JeOperationGuard.class);

    private final Path dir;
    private final int segmentCount;
    private final OperationGate gate = new OperationGate();

    JeOperationGuard(Path dir, int segmentCount) {
        this.dir = dir;
        this.segmentCount = segmentCount;
    }

    /** {@link #gated} for an operation on one segment, checked to be in range first. */
    <T> T guarded(int segment, String op, Supplier<T> body) {
        checkSegment(segment);
        return gated("segment " + segment, op, body);
    }

    void checkSegment(int segment) {
        if (segment < 0 || segment >= segmentCount) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "segment " + segment + " is out of range 0.." + (segmentCount - 1));
        }
    }

    /**
     * Runs one operation on the environment while it is open (close waits for it), translating
     * JE failures into typed errors; {@code what} names the database for messages.
     */
    <T> T gated(String what, String op, Supplier<T> body) {
        if (!gate.enter()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "storage is closed (" + dir + ")");
        }
        try {
            return body.get();
        } catch (LockConflictException e) {
            throw new EarthwoException(ErrorCode.BUSY, op + " on " + what + " timed out waiting for a record lock", e);
        } catch (EarthwoException e) {
            throw e;
        } catch (DatabaseException e) {
            LOG.error("storage {} failed on {} of store {}", op, what, dir, e);
            throw new EarthwoException(ErrorCode.INTERNAL, op + " on " + what + " failed: " + e.getMessage(), e);
        } finally {
            gate.exit();
        }
    }

    boolean isClosed() {
        return gate.isClosed();
    }

    /**
     * Admits no more operations and waits for the running ones; false if it was closed before.
     * Must not be called from inside an operation.
     */
    boolean close() {
        return gate.close();
    }
}

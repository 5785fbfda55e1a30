package earthwo.storage.internal;

import earthwo.api.logging.RateLimitedLog;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.DiskLimitException;
import com.sleepycat.je.LockConflictException;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * What each JE failure means for the caller, as a typed error, and for the store:
 * <ul>
 * <li>a lock wait that timed out: BUSY (the client may retry);
 * <li>a write refused because free disk space is down to the reserve: UNAVAILABLE, see {@link DiskReserve};
 * <li>any failure that left the environment invalid (a failed log write, ENOSPC, an I/O error):
 *     UNAVAILABLE while the store reopens it, see {@link EnvironmentReopener}; from then on the
 *     environment's guard admits no request, so none is answered from the record cache of an
 *     environment whose last deferred commits may be lost;
 * <li>any other JE failure: INTERNAL, logged with its stack at most once a minute.
 * </ul>
 * Typed errors and failures that are not JE's pass unchanged. Shared by every environment a
 * store opens in turn; only failures pass here, so a request that succeeds pays nothing.
 */
final class JeFailures {

    private static final Logger LOG = LoggerFactory.getLogger(JeFailures.class);

    private final Path dir;
    private final DiskReserve diskReserve;
    private final EnvironmentReopener reopener;
    private final RateLimitedLog unexpectedLines = new RateLimitedLog();

    JeFailures(Path dir, DiskReserve diskReserve, EnvironmentReopener reopener) {
        this.dir = dir;
        this.diskReserve = diskReserve;
        this.reopener = reopener;
    }

    /**
     * The exception to throw for {@code e}, thrown by operation {@code op} on {@code what} (a
     * database, for messages) under {@code guard}.
     */
    RuntimeException translate(String what, String op, JeOperationGuard guard, RuntimeException e) {
        if (e instanceof EarthwoException) {
            return e;
        }
        if (e instanceof LockConflictException) {
            return new EarthwoException(ErrorCode.BUSY, op + " on " + what + " timed out waiting for a record lock", e);
        }
        if (e instanceof DiskLimitException) {
            return diskReserve.refused();
        }
        if (!(e instanceof DatabaseException)) {
            return e;
        }
        if (!guard.environment().isValid()) {
            EarthwoException refusal = reopener.failed(guard.environment(), e);
            guard.refuse(this::reopening);
            return refusal;
        }
        long n = unexpectedLines.event();
        if (n > 0) {
            LOG.error("storage {} failed on {} of store {} ({} unexpected JE failures since the last line)", op, what, dir, n, e);
        }
        return new EarthwoException(ErrorCode.INTERNAL, op + " on " + what + " failed: " + e.getMessage(), e);
    }

    /** A request that found the environment closed for its reopen. */
    EarthwoException reopening() {
        return reopener.refused();
    }
}

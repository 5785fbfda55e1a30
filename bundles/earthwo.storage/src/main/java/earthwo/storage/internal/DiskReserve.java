package earthwo.storage.internal;

import earthwo.api.logging.RateLimitedLog;
import com.sleepycat.je.DiskLimitException;
import com.sleepycat.je.Environment;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The disk space a store keeps free ({@value StorageSettings#FREE_DISK_BYTES}, JE's
 * {@code je.freeDisk}). Once free space is down to the reserve JE refuses every write with a
 * {@link DiskLimitException} and keeps serving reads; here such a refusal becomes UNAVAILABLE
 * (the client retries, perhaps on another replica) with a message naming the free space, the
 * reserve and the setting, and is logged once a minute with the number refused since.
 *
 * <p>JE measures free space only in its cleaner, and while a limit holds its cleaner thread looks
 * again only every {@code je.cleaner.wakeupInterval} (10 s). So from the first refusal on, a
 * check here asks JE to measure every second ({@link #jeAcceptsWrites}) until it accepts writes
 * again: writes come back within about a second of space being freed, without a restart.
 */
final class DiskReserve {

    private static final Logger LOG = LoggerFactory.getLogger(DiskReserve.class);
    static final long CHECK_INTERVAL_MS = 1000;

    /** Asks JE (in the store's current environment) whether it accepts writes, after measuring free space anew. */
    interface Check {
        boolean jeAcceptsWrites();
    }

    private final Path dir;
    private final long reserveBytes;
    private final ScheduledExecutorService upkeep;
    private final Check check;
    /** Whether a check is scheduled: from a refusal until JE accepts writes again. */
    private final AtomicBoolean checking = new AtomicBoolean();
    private final LongAdder refusals = new LongAdder();
    private final RateLimitedLog refusalLines = new RateLimitedLog();
    /** Free bytes as the last check measured them (-1: unknown); the refusals' messages quote it. */
    private volatile long freeBytes = -1;

    DiskReserve(Path dir, long reserveBytes, ScheduledExecutorService upkeep, Check check) {
        this.dir = dir;
        this.reserveBytes = reserveBytes;
        this.upkeep = upkeep;
        this.check = check;
    }

    /**
     * Makes JE measure the free space of its volume now and says whether it accepts writes.
     * {@link Environment#cleanLogFile()} runs the cleaner's disk accounting first and throws
     * {@link DiskLimitException} while a limit still holds; once none holds it goes on to clean
     * at most one log file if one is due, work JE's cleaner thread would do anyway.
     */
    static boolean jeAcceptsWrites(Environment env) {
        try {
            env.cleanLogFile();
            return true;
        } catch (DiskLimitException e) {
            return false;
        }
    }

    /** A write JE refused for the reserve: counts and logs it, and returns the error for the caller. */
    EarthwoException refused() {
        refusals.increment();
        if (checking.compareAndSet(false, true)) {
            freeBytes = measureFreeBytes();
            scheduleCheck();
        }
        long n = refusalLines.event();
        if (n > 0) {
            LOG.warn("storage refuses writes: {}; {} writes refused since the last line", describe(freeBytes), n);
        }
        return new EarthwoException(ErrorCode.UNAVAILABLE, "write refused: " + describe(freeBytes)
                + "; writes resume within seconds of disk space being freed");
    }

    /**
     * The disk against the reserve, for messages: the reserve, the setting that sets it and the
     * free space (measured every second while writes are refused; JE's own view may lag behind).
     */
    String describe(long free) {
        return "free disk space of store " + dir + " reached the reserve of " + reserveBytes + " bytes kept free by "
                + StorageSettings.FREE_DISK_BYTES + " (" + (free < 0 ? "unknown" : String.valueOf(free))
                + " bytes free when last measured)";
    }

    private void scheduleCheck() {
        try {
            upkeep.schedule(this::checkOnce, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            checking.set(false); // the store is closing
        }
    }

    private void checkOnce() {
        freeBytes = measureFreeBytes();
        boolean accepts;
        try {
            accepts = check.jeAcceptsWrites();
        } catch (RuntimeException e) {
            accepts = false; // the environment is reopening or closing: look again
        }
        if (!accepts) {
            scheduleCheck();
            return;
        }
        checking.set(false);
        LOG.info("storage accepts writes to store {} again: {} bytes free, {} bytes kept free; {} writes refused in all",
                dir, freeBytes, reserveBytes, refusals.sum());
    }

    /** Usable bytes on the store's volume now, or -1 if the file system does not say. */
    long measureFreeBytes() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    long reserveBytes() {
        return reserveBytes;
    }

    /** Whether writes were refused and JE has not accepted them since. */
    boolean refusing() {
        return checking.get();
    }

    /** Writes refused for the reserve since the store opened. */
    long refusals() {
        return refusals.sum();
    }

    /** Log lines written about refusals (at most one a minute). */
    long refusalLines() {
        return refusalLines.lines();
    }
}

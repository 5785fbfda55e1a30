package earthwo.storage.internal;

import com.sleepycat.je.Environment;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.function.Supplier;

/**
 * Where every operation on one opening of a store's JE environment passes: it runs only while
 * that environment is open ({@link #close} waits for it, through an {@link OperationGate}), and
 * JE's failures leave it as typed errors ({@link JeFailures}). Once closed (or refusing, from the
 * moment an operation found the environment invalid) an operation fails with the error given to
 * {@link #close} or {@link #refuse}: UNAVAILABLE, because the store closed or because it is
 * reopening the environment. A segment out of range is BAD_REQUEST.
 */
final class JeOperationGuard {

    private final int segmentCount;
    private final Environment env;
    private final JeFailures failures;
    private final OperationGate gate = new OperationGate();
    /** Set before the gate closes: what operations arriving afterwards fail with. */
    private volatile Supplier<EarthwoException> refusal;

    JeOperationGuard(int segmentCount, Environment env, JeFailures failures) {
        this.segmentCount = segmentCount;
        this.env = env;
        this.failures = failures;
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
            throw refusal.get();
        }
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw failures.translate(what, op, this, e);
        } finally {
            gate.exit();
        }
    }

    /**
     * Runs work on the environment that close itself waits for (the group commit's last log
     * write), translating JE failures as {@link #gated} does but without entering the gate.
     */
    <T> T translated(String what, String op, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw failures.translate(what, op, this, e);
        }
    }

    /** The environment this guard's operations run in. */
    Environment environment() {
        return env;
    }

    /**
     * Admits no more operations from now on (they fail with {@code refusal}'s error), without
     * waiting for the running ones: called from inside an operation that found the environment
     * invalid. {@link #close} still follows.
     */
    void refuse(Supplier<EarthwoException> refusal) {
        this.refusal = refusal;
        gate.refuse();
    }

    /**
     * Admits no more operations (later ones fail with {@code refusal}'s error) and waits for the
     * running ones; false if it was closed before. Must not be called from inside an operation.
     */
    boolean close(Supplier<EarthwoException> refusal) {
        this.refusal = refusal;
        return gate.close();
    }
}

package earthwo.storage.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationGateTest {

    @Test
    void admitsNestedOperationsUntilClosedAndClosesOnce() {
        OperationGate gate = new OperationGate();
        assertTrue(gate.enter());
        assertTrue(gate.enter(), "an operation may run another inside it");
        assertEquals(2, gate.running());
        gate.exit();
        gate.exit();
        assertEquals(0, gate.running());

        assertTrue(gate.close());
        assertTrue(gate.isClosed());
        assertFalse(gate.enter(), "nothing is admitted once closed");
        assertEquals(0, gate.running(), "a refused operation leaves no count behind");
        assertFalse(gate.close(), "a second close does nothing");
    }

    @Test
    void anOperationMayRefuseNewOnesAtOnceAndTheCloseAfterStillWaitsForIt() throws Exception {
        OperationGate gate = new OperationGate();
        assertTrue(gate.enter());
        gate.refuse(); // from inside the operation: it found the resource broken
        assertFalse(gate.enter(), "refused from then on");
        assertEquals(1, gate.running());
        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(gate::close);
        assertThrows(TimeoutException.class, () -> closing.get(200, TimeUnit.MILLISECONDS),
                "close returned while the refusing operation was still running");
        gate.exit();
        assertTrue(closing.get(10, TimeUnit.SECONDS), "the first close after a refusal is the one that drains");
        assertFalse(gate.close());
    }

    @Test
    void closeWaitsForTheOperationInFlight() throws Exception {
        OperationGate gate = new OperationGate();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> operation = CompletableFuture.runAsync(() -> {
            assertTrue(gate.enter());
            try {
                inside.countDown();
                await(release);
            } finally {
                gate.exit();
            }
        });
        assertTrue(inside.await(5, TimeUnit.SECONDS));
        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(gate::close);

        assertThrows(TimeoutException.class, () -> closing.get(300, TimeUnit.MILLISECONDS),
                "close returned while an operation was still running");
        assertFalse(gate.enter(), "new operations are refused while close waits");

        release.countDown();
        assertTrue(closing.get(5, TimeUnit.SECONDS));
        operation.get(5, TimeUnit.SECONDS);
    }

    /**
     * Many threads run operations on a resource that the closer releases right after close
     * returns: no admitted operation may ever find it released.
     */
    @Test
    void noAdmittedOperationOutlivesClose() throws Exception {
        for (int round = 0; round < 20; round++) {
            OperationGate gate = new OperationGate();
            AtomicBoolean resourceOpen = new AtomicBoolean(true);
            AtomicLong admitted = new AtomicLong();
            AtomicLong sawReleased = new AtomicLong();
            CountDownLatch started = new CountDownLatch(4);
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(CompletableFuture.runAsync(() -> {
                    started.countDown();
                    while (gate.enter()) {
                        try {
                            admitted.incrementAndGet();
                            if (!resourceOpen.get()) {
                                sawReleased.incrementAndGet();
                            }
                        } finally {
                            gate.exit();
                        }
                    }
                }, runnable -> new Thread(runnable).start()));
            }
            assertTrue(started.await(5, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (admitted.get() < 10_000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(gate.close());
            resourceOpen.set(false);
            for (CompletableFuture<Void> w : workers) {
                w.get(5, TimeUnit.SECONDS);
            }
            assertTrue(admitted.get() >= 10_000, "the workers ran operations before the close");
            assertEquals(0, sawReleased.get(), "an admitted operation ran after close returned");
            assertEquals(0, gate.running());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

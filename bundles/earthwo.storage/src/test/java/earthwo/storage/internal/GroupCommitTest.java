package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class GroupCommitTest {

    /** A log writer that counts its writes and can be held inside a write. */
    private static final class HeldWriter implements GroupCommit.LogWriter {
        final AtomicInteger started = new AtomicInteger();
        final CountDownLatch inWrite = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile RuntimeException failWith;

        @Override
        public void write() {
            started.incrementAndGet();
            inWrite.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS), "test never released the write");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failWith != null) {
                throw failWith;
            }
        }
    }

    @Test
    void commitsArrivingDuringAWriteShareTheNextOne() throws Exception {
        HeldWriter writer = new HeldWriter();
        try (GroupCommit group = new GroupCommit("test", writer)) {
            CompletableFuture<Void> first = group.next();
            assertTrue(writer.inWrite.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> later = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                later.add(group.next());
            }
            assertFalse(first.isDone(), "done before its write finished");
            assertTrue(later.stream().noneMatch(CompletableFuture::isDone), "a commit made during a write waits for the next write");
            writer.release.countDown();
            first.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(later.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertEquals(2, writer.started.get(), "101 commits, two log writes");
            assertEquals(2, group.groups.sum());
            assertEquals(101, group.commits.sum());
        }
    }

    @Test
    void aFailedWriteFailsItsGroupWithATypedErrorAndTheNextOneWorks() throws Exception {
        HeldWriter writer = new HeldWriter();
        writer.failWith = new IllegalStateException("disk full");
        try (GroupCommit group = new GroupCommit("test", writer)) {
            CompletableFuture<Void> f = group.next();
            writer.release.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            EarthwoException typed = assertInstanceOf(EarthwoException.class, e.getCause());
            assertEquals(ErrorCode.INTERNAL, typed.code());
            assertTrue(typed.getMessage().contains("disk full"), typed.getMessage());
            writer.failWith = null;
            group.next().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeWritesForTheWaitingThenRefuses() throws Exception {
        HeldWriter writer = new HeldWriter();
        GroupCommit group = new GroupCommit("test", writer);
        group.next();
        assertTrue(writer.inWrite.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> waiting = group.next();
        Thread closer = new Thread(group::close);
        closer.start();
        writer.release.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive(), "close returned");
        assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "the waiting commit was written before close returned");
        assertEquals(2, writer.started.get());
        ExecutionException e = assertThrows(ExecutionException.class, () -> group.next().get(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((EarthwoException) e.getCause()).code());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("earthwo-storage-group-commit")),
                "group commit thread stopped");
    }
}

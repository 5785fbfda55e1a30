package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.testing.Poll;
import earthwo.api.cluster.TestClusterDocuments;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox is switched on by the first hook, on its node at once and on every other node through
 * the cluster document, and a hook accepted before it was on starts delivering once it is.
 */
class OutboxSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Fixture first;
    private Fixture second;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Fixture f : new Fixture[] {first, second}) {
            if (f != null) {
                f.close();
            }
        }
        Poll.until("no hook thread left", WAIT, () -> Fixture.hookThreads().isEmpty());
        Poll.until("no switch thread left", WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().equals(OutboxSwitch.THREAD_NAME)));
    }

    @Test
    void aHookSwitchesItsNodeOnAtOnceAndEveryOtherNodeThroughTheClusterDocument() throws Exception {
        TestClusterDocuments documents = new TestClusterDocuments();
        first = new Fixture(new FakeOutboxStore(2, false, () -> 0L), documents, Fixture.SELF, Fixture.SELF);
        second = new Fixture(new FakeOutboxStore(2, false, () -> 0L), documents, Fixture.SELF, Fixture.SELF);
        HooksComponent onFirst = first.start(Fixture.settings(10));
        second.start(Fixture.settings(10));
        assertEquals(false, onFirst.status().get("outbox"));
        assertFalse(second.store.keepsOutbox(), "no hook, no outbox");

        TestHook hook = new TestHook();
        first.register(onFirst, hook, "h");
        assertTrue(first.store.keepsOutbox(), "on before the hook is accepted");
        assertEquals(true, onFirst.status().get("outbox"));
        Poll.until("the cluster marked", WAIT, () -> documents.read(OutboxSwitch.DOCUMENT).isPresent());
        Poll.until("the other node switched on", WAIT, second.store::keepsOutbox);

        KeyEvent e = first.store.add(0, EventType.CREATED, "k", first.now.get() - 10_000);
        Poll.until("the event delivered", WAIT, () -> hook.acknowledged.contains(e));
    }

    @Test
    void aNodeThatComesUpInAMarkedClusterSwitchesOnWithoutAHookOfItsOwn() throws Exception {
        TestClusterDocuments documents = new TestClusterDocuments();
        documents.update(OutboxSwitch.DOCUMENT, c -> OutboxSwitch.MARKED);
        first = new Fixture(new FakeOutboxStore(1, false, () -> 0L), documents, Fixture.SELF);
        HooksComponent c = first.start(Fixture.settings(10));
        assertTrue(first.store.keepsOutbox());
        assertEquals(true, c.status().get("outbox"));
    }

    @Test
    void aHookAcceptedWhileTheStoreCouldNotSwitchStartsWhenTheClusterSwitchesItOn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        first = new Fixture(new FakeOutboxStore(1, false, () -> 0L) {
            @Override
            public void keepOutbox() {
                if (refused.getAndIncrement() == 0) {
                    throw new IllegalStateException("store reopening (test)");
                }
                super.keepOutbox();
            }
        }, Fixture.SELF);
        HooksComponent c = first.start(Fixture.settings(10));
        TestHook hook = new TestHook();
        first.register(c, hook, "h");
        assertTrue(refused.get() >= 1, "the store refused the first time");

        Poll.until("the cluster marked", WAIT, () -> first.documents.read(OutboxSwitch.DOCUMENT).isPresent());
        // The mark comes back through the watch and switches the store on: the accepted hook starts.
        Poll.until("the hook's runner started", WAIT, () -> c.hooks().get(0).state() != HookState.NO_OUTBOX);
        KeyEvent e = first.store.add(0, EventType.CREATED, "k", first.now.get() - 10_000);
        Poll.until("the event delivered", WAIT, () -> hook.acknowledged.contains(e));
    }

    @Test
    void theMarkIsWrittenAgainUntilZooKeeperTakesIt() throws Exception {
        first = new Fixture(false, Fixture.SELF);
        first.documents.away = true;
        HooksComponent c = first.start(Fixture.settings(10));
        first.register(c, new TestHook(), "h");
        assertTrue(first.store.keepsOutbox(), "this node does not wait for ZooKeeper");
        assertEquals(Optional.empty(), first.documents.read(OutboxSwitch.DOCUMENT));
        first.documents.away = false;
        Poll.until("marked once ZooKeeper is back", Duration.ofSeconds(OutboxSwitch.RETRY_SECONDS * 3),
                () -> first.documents.read(OutboxSwitch.DOCUMENT).isPresent());
        first.stop(c);
        assertEquals(0, first.documents.listenerCount(), "the watch is removed on stop");
        assertEquals(List.of(), List.copyOf(Fixture.hookThreads()));
    }
}

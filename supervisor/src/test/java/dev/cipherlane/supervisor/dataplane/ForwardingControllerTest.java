package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Issue: the control logic ran in a plain executor thread, outside the actor tree. */
class ForwardingControllerTest {
    private static final long PERIOD_MS = 5;
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        KIT.shutdownTestKit();
    }

    @Test
    void resolvesAChangeFromBeforeTheStartThenRunsEveryTaskOnItsTimer() {
        AtomicInteger resolves = new AtomicInteger();
        AtomicInteger aged = new AtomicInteger();
        AtomicInteger solicited = new AtomicInteger();
        ForwardingControl control = new ForwardingControl(resolves::incrementAndGet, PERIOD_MS)
                .every(new ForwardingControl.Task("neighbour ageing", PERIOD_MS, aged::incrementAndGet))
                .every(new ForwardingControl.Task("underlay solicitation", 0, solicited::incrementAndGet));
        control.neighbourChanged();
        assertEquals(0, resolves.get(), "nothing runs before a controller attaches");

        ActorRef<ForwardingController.Command> controller = KIT.spawn(ForwardingController.supervised(control));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> aged.get() >= 3 && solicited.get() >= 3);
        int afterStart = resolves.get();
        assertTrue(afterStart >= 1, "the change before the start is resolved");

        control.neighbourChanged();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> resolves.get() > afterStart);

        KIT.stop(controller);
        control.detach();
        int agedAtStop = aged.get();
        int resolvedAtStop = resolves.get();
        control.neighbourChanged();
        Awaitility.await().pollDelay(Duration.ofMillis(20 * PERIOD_MS)).until(() -> true);
        assertEquals(agedAtStop, aged.get(), "a stopped controller runs no task");
        assertEquals(resolvedAtStop, resolves.get(), "changes after the stop are ignored");
    }

    @Test
    void aFailingTaskRestartsTheControllerAloneAndTheOtherTasksGoOn() {
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger aged = new AtomicInteger();
        AtomicInteger resolves = new AtomicInteger();
        ForwardingControl control = new ForwardingControl(resolves::incrementAndGet, PERIOD_MS)
                .every(new ForwardingControl.Task("sa limits", 0, () -> {
                    if (failures.incrementAndGet() <= 2) {
                        throw new IllegalStateException("limit check failed");
                    }
                }))
                .every(new ForwardingControl.Task("neighbour ageing", 0, aged::incrementAndGet));
        ActorRef<ForwardingController.Command> controller = KIT.spawn(ForwardingController.supervised(control));
        // Two failures, two restarts with backoff (200 ms, then 400 ms): then it runs on.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> failures.get() > 5 && aged.get() > 5);
        assertTrue(resolves.get() >= 3, "each (re)start resolves what changed meanwhile: " + resolves.get());
        KIT.stop(controller);
        control.detach();
    }

    @Test
    void takesNoTaskOnceAControllerAttached() {
        ForwardingControl control = new ForwardingControl(() -> {}, PERIOD_MS);
        control.attach(() -> {});
        assertThrows(IllegalStateException.class,
                () -> control.every(new ForwardingControl.Task("late", 0, () -> {})));
        control.detach();
        assertThrows(IllegalStateException.class, () -> control.attach(() -> {}));
        assertThrows(IllegalArgumentException.class, () -> new ForwardingControl(() -> {}, 0));
    }
}

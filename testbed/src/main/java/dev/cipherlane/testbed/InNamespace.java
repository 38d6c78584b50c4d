package dev.cipherlane.testbed;

import dev.cipherlane.linux.NetNamespace;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Work done inside a named network namespace without starting a process: a fresh platform
 * thread enters the namespace (setns(2) moves one thread only, see {@link NetNamespace}),
 * runs the work and ends. Sockets it creates belong to that namespace for good and can be
 * used from any thread afterwards, which is how the lab's checked streams connect pods.
 */
public final class InNamespace {
    private InNamespace() {}

    /** Runs {@code work} inside {@code netns} and returns its result, or rethrows its exception. */
    public static <T> T call(String netns, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            try (NetNamespace ns = NetNamespace.named(netns)) {
                return ns.runIn(work::call);
            }
        });
        // A new thread, not a pooled one: it leaves the namespace when it ends, whatever happened.
        Thread.ofPlatform().name("in-" + netns).daemon().start(task);
        try {
            return task.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new IOException("work in namespace " + netns + " did not finish within 60 s", e);
        }
    }
}

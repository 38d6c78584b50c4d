package dev.cipherlane.supervisor;

import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into an orderly stop. Left to the JVM, they run the shutdown
 * hooks and exit with 128 + signal, so systemd and Kubernetes would record every ordinary
 * stop as a failure. sun.misc.Signal is the only JDK API for this; JEP 260 keeps it
 * exported from jdk.unsupported for exactly this use, hence the compiler's warning.
 */
final class TerminationSignals {

    private TerminationSignals() {
    }

    /** Calls {@code stop} with "SIGTERM" or "SIGINT", on the JVM's signal thread. */
    static void onTermination(Consumer<String> stop) {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> stop.accept("SIG" + signal.getName()));
        }
    }
}

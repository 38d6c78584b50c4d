package dev.cipherlane.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Chaos testing: one stage made to throw, to show that a failing stage costs the packets it
 * threw on and nothing else. Off unless a stage is named.
 *
 * @param stage dataplane.fault-injection.stage, the stage that throws, if any
 * @param oneIn dataplane.fault-injection.one-in, it throws on one packet in this many it passes on
 * @param killsWorker dataplane.fault-injection.kills-worker, whether it throws an error that
 *                    ends the worker (which is then restarted) instead of an exception
 */
public record FaultInjectionSettings(Optional<String> stage, int oneIn, boolean killsWorker) {
    public static final int MIN_ONE_IN = 2;
    public static final int MAX_ONE_IN = 1_000_000_000;
    public static final FaultInjectionSettings OFF = new FaultInjectionSettings(Optional.empty(), 100, false);

    public FaultInjectionSettings {
        Objects.requireNonNull(stage, "stage");
        Bounds.check("fault-injection.one-in", oneIn, MIN_ONE_IN, MAX_ONE_IN);
    }
}

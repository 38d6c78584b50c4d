package dev.cipherlane.supervisor.admin;

import dev.cipherlane.stages.swap.StageSwitchboard;
import dev.cipherlane.supervisor.admin.views.OperatorViews;

/** What the admin API may ask of a running dataplane: operator views, all plain text. */
public interface DataplaneView {
    /** The workers, with their restarts and last failure, then each stage's runtime. */
    String showRuntime();

    /** "ok", or what is wrong: workers down and why. */
    String showHealth();

    String showErrors();

    String showInterfaces();

    String showTrace();

    /** Tunnels to peers with their outer addresses, underlay state and counters. */
    String showTunnels();

    /** The SAs protecting the tunnels, with their counters. */
    String showSa();

    /** The neighbour (ARP) table. */
    String showNeighbours();

    /**
     * Traces the next {@code packets} packets on every worker, as far as each worker's trace
     * has room (dataplane.trace.max-packets); returns the most any worker will trace.
     */
    int trace(int packets);

    /** Forgets every traced packet and stops tracing. */
    void clearTrace();

    /** Hot swap, upgrade and rollback of the running graph's stages; null when it offers none. */
    default StageSwitchboard stages() {
        return null;
    }

    /** The typed views behind {@code show ...} and {@code show ... --json}, and /metrics. */
    OperatorViews views();
}

package dev.cipherlane.supervisor.admin;

/** What the admin API may ask of a running dataplane: operator views, all plain text. */
public interface DataplaneView {
    String showRuntime();

    String showErrors();

    String showInterfaces();

    String showTrace();

    /** Tunnels to peers with their outer addresses, underlay state and counters. */
    String showTunnels();

    /** The SAs protecting the tunnels, with their counters. */
    String showSa();

    /** The neighbour (ARP) table. */
    String showNeighbours();

    /** Traces the next {@code packets} packets on every worker. */
    void trace(int packets);
}

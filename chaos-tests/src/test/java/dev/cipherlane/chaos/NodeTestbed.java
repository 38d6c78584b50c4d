package dev.cipherlane.chaos;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Launcher;

/**
 * A {@link Lab} for JUnit: built with the chaos tests' namespace family {@value #FAMILY},
 * nodes started through the real launcher ({@link Launcher#find()}), and, for a lab with a
 * relay, an {@link ImpairmentRelay} forwarding between the relay namespace's two ends
 * (port A toward node 1, port B toward node 2) before any node starts. Use it in
 * try-with-resources: {@link #close()} stops the relay, tears the lab down and hands the
 * node logs to {@link NodeLogs}, which prints them if the test failed.
 */
final class NodeTestbed implements AutoCloseable {
    static final String FAMILY = "clc";
    /** The relay's decisions repeat for a seed and a frame order. */
    static final long RELAY_SEED = 0x5EED_C1A5L;

    private final Lab lab;
    private ImpairmentRelay relay;

    private NodeTestbed(Lab lab) {
        this.lab = lab;
    }

    /** Builds the lab of {@code spec} (and its relay) without starting the nodes. */
    static NodeTestbed build(LabSpec spec) throws Exception {
        NodeTestbed t = new NodeTestbed(Lab.create(spec.withFamily(FAMILY), null, Launcher.find()));
        try {
            if (spec.relay()) {
                NetNamespace relayNamespace = t.lab.namespace(t.lab.relayNetns()).handle();
                t.relay = ImpairmentRelay.open(new RelayPort(relayNamespace, Lab.RELAY_PORT_A),
                        new RelayPort(relayNamespace, Lab.RELAY_PORT_B), RELAY_SEED);
                t.relay.start();
            }
        } catch (Exception | Error e) {
            t.closeAfter(e);
            throw e;
        }
        return t;
    }

    /** Builds the lab of {@code spec} and starts every node. */
    static NodeTestbed start(LabSpec spec) throws Exception {
        NodeTestbed t = build(spec);
        try {
            t.lab.start();
        } catch (Exception | Error e) {
            t.closeAfter(e);
            throw e;
        }
        return t;
    }

    /** Tears down after a failed setup; a teardown problem is added to the setup's failure. */
    private void closeAfter(Throwable failure) {
        try {
            close();
        } catch (Exception | Error e) {
            failure.addSuppressed(e);
        }
    }

    Lab lab() {
        return lab;
    }

    LabNode node(int n) {
        return lab.node(n);
    }

    /** Pod {@code p} of node {@code n}, both counting from 1. */
    LabPod pod(int n, int p) {
        return lab.node(n).pod(p);
    }

    ImpairmentRelay relay() {
        if (relay == null) {
            throw new IllegalStateException("this testbed has no relay");
        }
        return relay;
    }

    /**
     * Shows every frame crossing the relay to each of {@code observers}, in order, from the
     * next frame on; with none, stops showing frames. The relay thread calls them while the
     * test reads them, so they must be thread-safe.
     */
    void observe(FrameObserver... observers) {
        FrameObserver[] all = observers.clone();
        relay().observe(all.length == 0 ? null : (direction, frame, length) -> {
            for (FrameObserver o : all) {
                o.frame(direction, frame, length);
            }
        });
    }

    <T extends AutoCloseable> T closeLater(T resource) {
        return lab.closeLater(resource);
    }

    /** The nodes' logs and views, and the relay's counters: for assertion messages. */
    String diagnostics() {
        return lab.diagnostics() + relayCounters();
    }

    private String relayCounters() {
        if (relay == null) {
            return "";
        }
        return "--- relay n1 > n2: " + relay.counters(Direction.A_TO_B) + "\n--- relay n2 > n1: "
                + relay.counters(Direction.B_TO_A) + (relay.failure() == null ? "" : "\n--- relay failed: "
                + relay.failure()) + "\n";
    }

    @Override
    public void close() throws LinuxException {
        NodeLogs.keep(lab.logs() + relayCounters());
        LinuxException pending = null;
        try {
            if (relay != null) {
                relay.close();
            }
        } catch (LinuxException e) {
            pending = e;
        }
        lab.close();
        if (pending != null) {
            throw pending;
        }
    }
}

package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.PodNetworkSettings;
import dev.cipherlane.config.PodSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.host.pod.AttachedPod;
import dev.cipherlane.host.pod.NodeState;
import dev.cipherlane.host.pod.PodSpec;
import dev.cipherlane.host.pod.PodTaps;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods' taps, and the state file that accounts for them across restarts. At the start
 * ({@link #attachAll}) the state file says which taps a previous run made; taps of pods no
 * longer wanted are destroyed, the state file is rewritten, and then the wanted pods' taps are
 * created or re-attached in place (the pods notice nothing). On a running node single pods
 * come ({@link #attach}) and go ({@link #detach}), the state file written ahead each time.
 * One actor uses it at a time.
 */
final class PodPlumbing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodPlumbing.class);

    private final Path stateDir;
    private final PodNetworkSettings network;
    private final Map<String, AttachedPod> attached = new LinkedHashMap<>();
    private final List<PodPort> ports = new ArrayList<>();
    private NodeState state;

    private PodPlumbing(Path stateDir, PodNetworkSettings network, NodeState state) {
        this.stateDir = stateDir;
        this.network = network;
        this.state = state;
    }

    /** Attaches {@code settings}' pods, at interface indexes 0..n-1 in their order. */
    static PodPlumbing attachAll(NodeSettings settings) throws IOException {
        List<PodSpec> specs = new ArrayList<>();
        for (PodSettings pod : settings.pods()) {
            specs.add(spec(pod, settings.podNetwork()));
        }
        NodeState previous = NodeState.read(settings.stateDir());
        for (PodSpec gone : previous.stale(specs)) {
            LOG.info("pod {} is no longer configured: removing its tap", gone.name());
            PodTaps.detach(gone);
        }
        // Recorded before attaching: a crash half-way leaves no tap the next run forgets.
        NodeState state = new NodeState(specs);
        state.write(settings.stateDir());
        PodPlumbing plumbing = new PodPlumbing(settings.stateDir(), settings.podNetwork(), state);
        try {
            for (PodSpec spec : specs) {
                plumbing.ports.add(plumbing.open(spec, plumbing.ports.size()));
            }
        } catch (IOException | RuntimeException e) {
            plumbing.close();
            throw e;
        }
        return plumbing;
    }

    /** The pods attached at the start, in the config's order. */
    List<PodPort> ports() {
        return List.copyOf(ports);
    }

    boolean has(String name) {
        return attached.containsKey(name);
    }

    /**
     * Attaches {@code pod} on the running node at interface {@code index}: its tap is created,
     * or re-attached in place when it exists; one left where the pod no longer wants it (another
     * namespace or address) is destroyed first.
     */
    PodPort attach(PodSettings pod, int index) throws IOException {
        if (attached.containsKey(pod.name())) {
            throw new IllegalArgumentException("pod " + pod.name() + " is already attached");
        }
        PodSpec spec = spec(pod, network);
        for (PodSpec gone : state.stale(List.of(spec))) {
            if (gone.name().equals(pod.name())) {
                LOG.info("pod {} moved or was readdressed: removing its old tap", gone.name());
                PodTaps.detach(gone);
            }
        }
        boolean recorded = state.pod(spec.name()).isPresent();
        state = state.with(spec);
        state.write(stateDir);
        try {
            return open(spec, index);
        } catch (IOException | RuntimeException e) {
            if (recorded) {
                forget(spec);
            } else {
                // New here: attach undid whatever it had made, so there is no tap to destroy.
                state = state.without(spec.name());
                state.write(stateDir);
            }
            throw e;
        }
    }

    /**
     * Closes pod {@code name}'s queues; with {@code destroy} (the pod is gone for good) its tap
     * is destroyed too and the state file forgets it. The dataplane must no longer use the fds.
     */
    void detach(String name, boolean destroy) throws IOException {
        AttachedPod pod = attached.remove(name);
        if (pod == null) {
            return;
        }
        closeQueues(pod);
        if (destroy) {
            forget(pod.spec());
        }
    }

    /** Destroys the tap of pod {@code name}, detached before, and forgets it. */
    void destroy(String name) throws IOException {
        Optional<PodSpec> spec = state.pod(name);
        if (spec.isPresent()) {
            forget(spec.get());
        }
    }

    /** Destroys the tap of {@code spec}, then forgets it: a crash in between leaves it recorded, never unknown. */
    private void forget(PodSpec spec) throws IOException {
        PodTaps.detach(spec);
        state = state.without(spec.name());
        state.write(stateDir);
    }

    private PodPort open(PodSpec spec, int index) throws LinuxException {
        AttachedPod pod = PodTaps.attach(spec);
        attached.put(spec.name(), pod);
        LOG.info("pod {}: tap {} {} in {}", spec.name(), spec.interfaceName(),
                pod.created() ? "created" : "re-attached", spec.netns());
        return port(index, pod);
    }

    private static PodSpec spec(PodSettings pod, PodNetworkSettings net) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (IpAddress a : pod.addresses()) {
            addresses.add(InetAddress.getByAddress(a.toBytes()));
        }
        PodSpec spec = PodSpec.of(pod.name(), pod.netns(), addresses, net.gatewayMac())
                .withMtu(pod.mtu())
                .withQueues(pod.queues())
                .withInterfaceName(net.interfaceName())
                .withGateways((Inet4Address) InetAddress.getByAddress(net.gateway4().toBytes()),
                        (Inet6Address) InetAddress.getByAddress(net.gateway6().toBytes()));
        return pod.mac().isPresent() ? spec.withMac(pod.mac().get()) : spec;
    }

    private static PodPort port(int index, AttachedPod pod) {
        int[] fds = new int[pod.queues().count()];
        for (int q = 0; q < fds.length; q++) {
            fds[q] = pod.queues().fd(q);
        }
        PodSpec s = pod.spec();
        Optional<Integer> ip4 = s.ip4().map(a -> ByteBuffer.wrap(a.getAddress()).getInt());
        Optional<long[]> ip6 = s.ip6().map(a -> {
            ByteBuffer b = ByteBuffer.wrap(a.getAddress());
            return new long[] {b.getLong(), b.getLong()};
        });
        return new PodPort(s.name(), index, pod.mac().value(), s.mtu(), fds, ip4, ip6);
    }

    private static void closeQueues(AttachedPod pod) {
        try {
            pod.close();
        } catch (LinuxException e) {
            LOG.warn("closing the tap queues of pod {}: {}", pod.name(), e.getMessage());
        }
    }

    /** Closes our tap fds; the persistent taps stay with their pods. */
    @Override
    public void close() {
        for (AttachedPod pod : attached.values()) {
            closeQueues(pod);
        }
        attached.clear();
    }
}

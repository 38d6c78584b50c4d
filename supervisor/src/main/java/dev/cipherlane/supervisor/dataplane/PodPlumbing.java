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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the configured pods into attached taps, the way a restart needs it: the state file
 * says which taps a previous run made; taps of pods no longer configured are destroyed,
 * the state file is rewritten, and then the configured pods' taps are created or
 * re-attached in place (the pods notice nothing).
 */
final class PodPlumbing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodPlumbing.class);

    private final List<AttachedPod> attached;
    private final List<PodPort> ports;

    private PodPlumbing(List<AttachedPod> attached, List<PodPort> ports) {
        this.attached = attached;
        this.ports = ports;
    }

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
        new NodeState(specs).write(settings.stateDir());
        List<AttachedPod> attached = new ArrayList<>();
        List<PodPort> ports = new ArrayList<>();
        try {
            for (PodSpec spec : specs) {
                AttachedPod pod = PodTaps.attach(spec);
                attached.add(pod);
                LOG.info("pod {}: tap {} {} in {}", spec.name(), spec.interfaceName(),
                        pod.created() ? "created" : "re-attached", spec.netns());
                ports.add(port(ports.size(), pod));
            }
        } catch (IOException | RuntimeException e) {
            new PodPlumbing(attached, ports).close();
            throw e;
        }
        return new PodPlumbing(attached, ports);
    }

    List<PodPort> ports() {
        return ports;
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

    /** Closes our tap fds; the persistent taps stay with their pods. */
    @Override
    public void close() {
        for (AttachedPod pod : attached) {
            try {
                pod.close();
            } catch (LinuxException e) {
                LOG.warn("closing the tap queues of pod {}: {}", pod.name(), e.getMessage());
            }
        }
    }
}

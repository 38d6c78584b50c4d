package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.ArpRequester;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.builtin.ForwardingGraph;
import dev.cipherlane.stages.builtin.NeighbourTable;
import dev.cipherlane.stages.builtin.ProxySet;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.tap.EpollIdle;
import dev.cipherlane.tap.TapInput;
import dev.cipherlane.tap.TapOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The running packet path of one node: buffer pools, interface and forwarding tables, the
 * stage graph and its workers. Built from typed settings and the attached pods; this is
 * where settings become stage parameters, so nothing below knows about HOCON or actors.
 *
 * <p>Tap queues are spread over workers round robin; a worker polls only its own queues
 * and sleeps in epoll on them when idle. Closing stops the workers and frees every
 * buffer, but leaves the taps alone: they are persistent and belong to the pods.
 */
public final class Dataplane implements DataplaneView, AutoCloseable {
    /** ICMP errors per second per worker, and their burst (RFC 1812 section 4.3.2.8). */
    static final int ICMP_ERRORS_PER_SECOND = 1000;
    static final int ICMP_BURST = 50;
    static final int EPOLL_TIMEOUT_MS = 100;

    private final PacketMemory memory;
    private final InterfaceTable interfaces = new InterfaceTable();
    private final List<PodPort> pods;
    private final ControlPunt punt;
    private final List<Worker> workers = new ArrayList<>();
    private final List<EpollIdle> idles = new ArrayList<>();
    private volatile ForwardingTables tables;

    private Dataplane(NodeSettings settings, List<PodPort> pods) throws LinuxException {
        this.pods = List.copyOf(pods);
        this.memory = new PacketMemory(settings.dataplane().buffers().small(), settings.dataplane().buffers().large());
        this.punt = new ControlPunt(memory);
        long gatewayMac = settings.podNetwork().gatewayMac().value();
        int gateway4 = (int) settings.podNetwork().gateway4().low();
        for (PodPort pod : pods) {
            interfaces.put(new NetInterface(pod.interfaceIndex(), pod.name(), gatewayMac, pod.mtu(),
                    List.of(new NetInterface.Ip4Address(gateway4, 32)),
                    List.of(new NetInterface.Ip6Address(settings.podNetwork().gateway6().high(),
                            settings.podNetwork().gateway6().low(), 128))));
        }
        this.tables = PodForwarding.build(pods, gatewayMac);

        int workerCount = settings.dataplane().workers();
        NeighbourTable neighbours = new NeighbourTable(new NeighbourTable.Params(
                settings.neighbour().reachableTime().toNanos(),
                NeighbourTable.Params.STALE_TIME_DEFAULT, NeighbourTable.Params.INCOMPLETE_TIME_DEFAULT,
                settings.neighbour().maxEntries()));
        ForwardingGraph.Tables t = new ForwardingGraph.Tables(interfaces, () -> tables, neighbours,
                ProxySet.EMPTY, new ArpRequester(neighbours, TimeUnit.SECONDS.toNanos(1)), punt,
                ICMP_ERRORS_PER_SECOND, ICMP_BURST);

        Graph.Builder b = Graph.builder();
        Map<Integer, int[]> outputs = new HashMap<>();
        List<List<Integer>> fdsByWorker = new ArrayList<>();
        for (int w = 0; w < workerCount; w++) {
            fdsByWorker.add(new ArrayList<>());
        }
        int next = 0;
        for (PodPort pod : pods) {
            int[] fds = pod.queueFds();
            outputs.put(pod.interfaceIndex(), fds);
            for (int q = 0; q < fds.length; q++) {
                int worker = next++ % workerCount;
                TapInput input = new TapInput(new TapInput.Params(fds[q], pod.interfaceIndex(), pod.name(), q, worker));
                b.add(input).connect(input.name(), "ethernet-input", EthernetInput.NAME);
                fdsByWorker.get(worker).add(fds[q]);
            }
        }
        b.add(new TapOutput(TapOutput.Params.of(outputs)));
        Graph graph = ForwardingGraph.wire(b, t, TapOutput.NAME).build();

        for (int w = 0; w < workerCount; w++) {
            EpollIdle idle = EpollIdle.open(settings.dataplane().idleSpinPolls(), EPOLL_TIMEOUT_MS);
            idles.add(idle);
            for (int fd : fdsByWorker.get(w)) {
                idle.watch(fd);
            }
            workers.add(new Worker(graph, memory, w, idle));
        }
    }

    /** Builds the dataplane for {@code pods} and starts its workers. */
    public static Dataplane start(NodeSettings settings, List<PodPort> pods) throws LinuxException {
        Dataplane d = new Dataplane(settings, pods);
        for (Worker w : d.workers) {
            w.start();
        }
        return d;
    }

    public List<GraphRuntime> runtimes() {
        List<GraphRuntime> out = new ArrayList<>();
        for (Worker w : workers) {
            out.add(w.runtime());
        }
        return out;
    }

    @Override
    public String showRuntime() {
        return RuntimeReport.runtime(runtimes());
    }

    @Override
    public String showErrors() {
        return RuntimeReport.errors(runtimes());
    }

    @Override
    public String showInterfaces() {
        StringBuilder sb = new StringBuilder(String.format("%-20s %5s %-17s %5s %6s%n",
                "Interface", "Index", "Pod MAC", "MTU", "Queues"));
        for (PodPort p : pods) {
            byte[] m = Macs.bytes(p.podMac());
            sb.append(String.format("%-20s %5d %02x:%02x:%02x:%02x:%02x:%02x %5d %6d%n", p.name(), p.interfaceIndex(),
                    m[0], m[1], m[2], m[3], m[4], m[5], p.mtu(), p.queueFds().length));
        }
        sb.append(String.format("buffers in use: %d, punted to the control plane: %d%n",
                memory.inUse(), punt.received()));
        return sb.toString();
    }

    @Override
    public void trace(int n) {
        for (Worker w : workers) {
            w.runtime().trace().arm(n);
        }
    }

    @Override
    public String showTrace() {
        StringBuilder sb = new StringBuilder();
        for (Worker w : workers) {
            sb.append("worker ").append(w.runtime().worker()).append('\n').append(w.runtime().trace().format());
        }
        return sb.toString();
    }

    /** Stops the workers and frees every buffer; the taps stay. */
    @Override
    public void close() throws InterruptedException, LinuxException {
        for (Worker w : workers) {
            w.stop();
        }
        for (EpollIdle idle : idles) {
            idle.close();
        }
        punt.close();
        memory.close();
    }
}

package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.AfPacketOutput;
import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.port.IkeInput;
import dev.cipherlane.ipsec.ike.port.IkePort;
import dev.cipherlane.supervisor.peers.IkeDispatch;
import dev.cipherlane.supervisor.peers.IkeTunnel;
import dev.cipherlane.supervisor.peers.PeerTunnels;
import dev.cipherlane.supervisor.peers.TunnelIke;
import dev.cipherlane.supervisor.peers.TunnelChange;
import dev.cipherlane.supervisor.peers.TunnelControl;
import dev.cipherlane.config.FaultInjectionSettings;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.EngineChoice;
import dev.cipherlane.ipsec.parallel.ParallelRing;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.builtin.HostRedirect;
import dev.cipherlane.stages.builtin.InterfaceOutput;
import dev.cipherlane.stages.forwarding.ForwardingGraph;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.Quiescence;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.ring.RingInput;
import dev.cipherlane.stages.forwarding.BuiltinStages;
import dev.cipherlane.stages.swap.StageCatalog;
import dev.cipherlane.stages.swap.StageProvider;
import dev.cipherlane.stages.swap.StageSwitchboard;
import dev.cipherlane.stages.tunnel.TunnelCounters;
import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.admin.views.OperatorViews;
import dev.cipherlane.tap.EpollIdle;
import dev.cipherlane.tap.TapInput;
import dev.cipherlane.tap.TapOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running packet path of one node: buffer pools, interface and forwarding tables, the
 * stage graph and its workers. Built from typed settings, the attached pods and, when the node
 * has one, the taken-over uplink; this is where settings become stage parameters, so nothing
 * below knows about HOCON or actors.
 *
 * <p>Interfaces get our own indexes: pods 0..n-1, then the uplink, then the host tap (kernel
 * ifindexes would collide, since pods' taps live in other namespaces). Tap queues are spread
 * over workers round robin; every worker polls its own AF_PACKET ring on the uplink (one
 * fanout group); the host tap's one queue belongs to worker 0. A worker sleeps in epoll on
 * its fds when idle. Closing stops the workers and frees every buffer, but leaves the taps
 * and the uplink alone: their owners close them.
 *
 * <p>The control logic is {@link ForwardingControl} ({@link #control}), which owns the
 * forwarding tables: it applies neighbour changes (ARP answers complete adjacencies) and once a
 * second ages the neighbour table and solicits the tunnels' underlay next hops (with an
 * uplink). Each tunnel's SA limits are its own {@link #tunnelControls control}. It is built here and run by the dataplane's owner (a
 * {@link ForwardingController} actor), which stops it before {@link #close}.
 */
public final class Dataplane implements DataplaneView, PeerTunnels, AutoCloseable {
    /** ICMP errors per second per worker, and their burst (RFC 1812 section 4.3.2.8). */
    static final int ICMP_ERRORS_PER_SECOND = 1000;
    static final int ICMP_BURST = 50;
    static final int EPOLL_TIMEOUT_MS = 100;
    static final long NEIGHBOUR_AGEING_MS = 1000;
    /** Half-open IKE SAs on the node from which responders ask for cookies first. */
    static final int COOKIE_THRESHOLD = 16;
    /** Peers whose tunnels are counted at least, for peers added live (others' tunnels go uncounted). */
    static final int COUNTED_PEERS = 64;
    /** How often each tunnel checks its SAs' lifetimes and limits. */
    public static final Duration SA_LIMITS_PERIOD = Duration.ofSeconds(1);
    /** How long a swap waits for every worker to pass the swap point: well inside an admin answer. */
    static final Duration SWAP_QUIESCENCE_LIMIT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    private final PacketMemory memory;
    private final InterfaceTable interfaces = new InterfaceTable();
    private final Optional<UplinkPort> uplink;
    private final Optional<UplinkInterface> uplinkView;
    private final Graph graph;
    /** Each tap's queue fds by interface index (tap-output's table), and each output's stage. */
    private final Map<Integer, int[]> tapQueues = new HashMap<>();
    private final Map<Integer, String> outputOf;
    /** interface-output's next stages: tap-output, then the uplink driver's output. */
    private List<String> outputStages = List.of(TapOutput.NAME, AfPacketOutput.NAME);
    /** Per pod queue (by its input stage's name), the worker that reads it. */
    private final Map<String, Integer> queueWorker = new HashMap<>();
    private final int[] queuesOnWorker;
    private final ControlPunt punt;
    private final NeighbourTable neighbours;
    private final NodeForwarding forwarding;
    private final TunnelCounters tunnelCounters;
    private final ForwardingControl control;
    private final UnderlaySolicitor solicitor;
    private final TunnelSecurity security;
    /** The AES-GCM engine ipsec.engine resolved to; null with ipsec off. */
    private final EngineChoice engine;
    private final List<ParallelRing<AeadEngine>> cryptoRings = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<EpollIdle> idles = new ArrayList<>();
    /** The settings as last applied; the supervisor actor's thread only. */
    private NodeSettings settings;
    private final StageSwitchboard stages;
    /** IKE's door to the dataplane and where it delivers, with ipsec.keys = "ike"; null otherwise. */
    private IkePort ikePort;
    private PreSharedKey psk;
    private final IkeDispatch ikeDispatch = new IkeDispatch();
    /**
     * The node's half-open IKE SAs, and the cookie jar that asks for cookies once there are
     * {@link #COOKIE_THRESHOLD} of them (RFC 7296 section 2.6): one jar for every tunnel, so a
     * flood on one tunnel makes every tunnel's responders ask.
     */
    private final java.util.concurrent.atomic.AtomicInteger halfOpen = new java.util.concurrent.atomic.AtomicInteger();
    private final dev.cipherlane.ipsec.ike.session.CookieJar cookies =
            new dev.cipherlane.ipsec.ike.session.CookieJar(new java.security.SecureRandom(), halfOpen::get, COOKIE_THRESHOLD);
    /** Each IKE tunnel's status as its actor last posted it, for {@code show ike}. */
    private final java.util.Map<String, IkeTunnel.Status> ikeStatus = new java.util.concurrent.ConcurrentHashMap<>();

    private Dataplane(NodeSettings settings, List<PodPort> pods, Optional<UplinkPort> uplink, Worker.Watch watch)
            throws IOException {
        this.settings = settings;
        this.uplink = uplink;
        this.uplinkView = uplink.map(UplinkPort::view);
        this.queuesOnWorker = new int[settings.dataplane().workers()];
        // What is opened before a later step fails is closed again, the SA state written
        // back included, so a start that failed (a reload's new config) leaves nothing held.
        ArrayDeque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            this.memory = new PacketMemory(settings.dataplane().buffers().small(), settings.dataplane().buffers().large());
            opened.push(memory);
            this.punt = new ControlPunt(memory, settings.dataplane().ringSize());
            opened.push(punt);
            int workerCount = settings.dataplane().workers();
            long gatewayMac = settings.podNetwork().gatewayMac().value();
            for (PodPort pod : pods) {
                interfaces.put(podInterface(pod));
            }
            Optional<UplinkInterface> view = uplink.map(UplinkPort::view);
            ProxySet proxies = ProxySet.EMPTY;
            HostRedirect.Params host = null;
            if (view.isPresent()) {
                UplinkInterface up = view.get();
                interfaces.put(up.asNetInterface());
                // The kernel side of the host tap reaches everything through us: we answer its ARP
                // for any address but its own, as the next hop of all its routes.
                interfaces.put(new NetInterface(up.hostIndex(), up.hostName(), gatewayMac, up.mtu(), List.of(), List.of()));
                proxies = ProxySet.builder().addRange(up.hostIndex(), 0, 0xFFFF_FFFF).build();
                host = hostRedirect(up, gatewayMac);
            }
            this.forwarding = NodeForwarding.build(pods, gatewayMac, view, settings.peers());
            // Room for every tunnel the peers may have, so a tunnel count raised live is counted too.
            this.tunnelCounters = new TunnelCounters(workerCount,
                    Math.max(COUNTED_PEERS, settings.peers().size()) * PeerSettings.MAX_TUNNELS);

            this.neighbours = new NeighbourTable(new NeighbourTable.Params(
                    settings.neighbour().reachableTime().toNanos(),
                    NeighbourTable.Params.STALE_TIME_DEFAULT, NeighbourTable.Params.INCOMPLETE_TIME_DEFAULT,
                    settings.neighbour().maxEntries(), settings.neighbour().maxPerInterface()));
            neighbours.learning(NeighbourLearning.policy(pods, view));
            this.control = new ForwardingControl(forwarding::resolve, NEIGHBOUR_AGEING_MS);
            forwarding.follow(neighbours, control::neighbourChanged);
            control.every(new ForwardingControl.Task("neighbour ageing", NEIGHBOUR_AGEING_MS, this::ageNeighbours));

            ArpRequester arp = new ArpRequester(neighbours, ArpRequester.INTERVAL_DEFAULT);
            ForwardingGraph.Tables t = new ForwardingGraph.Tables(interfaces, forwarding::tables, neighbours,
                    proxies, arp, punt, ICMP_ERRORS_PER_SECOND, ICMP_BURST).withIngress(forwarding::ingress);
            this.solicitor = view.isPresent()
                    ? new UnderlaySolicitor(forwarding, arp, () -> interfaces.get(view.get().index()), memory) : null;
            if (solicitor != null) {
                opened.push(solicitor);
            }

            Graph.Builder b = Graph.builder();
            List<List<Integer>> fdsByWorker = new ArrayList<>();
            for (int w = 0; w < workerCount; w++) {
                fdsByWorker.add(new ArrayList<>());
            }
            int next = 0;
            for (PodPort pod : pods) {
                int[] fds = pod.queueFds();
                tapQueues.put(pod.interfaceIndex(), fds);
                for (int q = 0; q < fds.length; q++) {
                    int worker = next++ % workerCount;
                    addTapInput(b, new TapInput.Params(fds[q], pod.interfaceIndex(), pod.name(), q, worker));
                    fdsByWorker.get(worker).add(fds[q]);
                    queueWorker.put(TapInput.name(pod.name(), q), worker);
                    queuesOnWorker[worker]++;
                }
            }
            String tx = TapOutput.NAME;
            Map<Integer, String> outputs = null;
            if (uplink.isPresent()) {
                UplinkPort port = uplink.get();
                UplinkInterface up = port.view();
                tapQueues.put(up.hostIndex(), new int[] {port.hostTapFd()});
                addTapInput(b, new TapInput.Params(port.hostTapFd(), up.hostIndex(), up.hostName(), 0, 0));
                fdsByWorker.get(0).add(port.hostTapFd());
                queuesOnWorker[0]++;
                String uplinkOutput = UplinkWiring.add(b, port, up, workerCount, fdsByWorker);
                outputStages = List.of(TapOutput.NAME, uplinkOutput);
                RingInput inject = new RingInput(UnderlaySolicitor.INPUT_NAME, new RingInput.Params(solicitor.ring(), 0));
                b.add(inject).connect(inject.name(), "next", InterfaceOutput.NAME);
                outputs = new HashMap<>();
                for (int itf : tapQueues.keySet()) {
                    outputs.put(itf, TapOutput.NAME);
                }
                outputs.put(up.index(), uplinkOutput);
                b.add(new InterfaceOutput(InterfaceOutput.Params.of(outputStages, outputs)))
                        .connect(InterfaceOutput.NAME, TapOutput.NAME, TapOutput.NAME)
                        .connect(InterfaceOutput.NAME, uplinkOutput, uplinkOutput);
                tx = InterfaceOutput.NAME;
            }
            this.outputOf = outputs;
            b.add(new TapOutput(TapOutput.Params.of(tapQueues)));
            ForwardingGraph.Tunnels tunnels = uplink.isPresent()
                    ? new ForwardingGraph.Tunnels(forwarding::tunnels, tunnelCounters) : null;
            ForwardingGraph.Esp esp = null;
            String ike = null;
            if (uplink.isPresent() && settings.ipsec().enabled()) {
                // Before any key is read: ipsec.engine = ipsec-mb without the library stops the start here.
                engine = CryptoWiring.engine(settings.ipsec());
                security = TunnelSecurity.protect(settings.ipsec(), settings.stateDir(), forwarding);
                opened.push(security);
                esp = CryptoWiring.add(b, settings.ipsec(), engine, security, memory, workerCount,
                        settings.dataplane().ringSize(), cryptoRings);
                opened.push(() -> cryptoRings.forEach(ParallelRing::shutdown));
                if (settings.ipsec().negotiated()) {
                    // IKE in from the local traffic, out through ip4-rewrite on the tunnels' next hops.
                    psk = IkeWiring.psk(settings.ipsec().ike());
                    opened.push(psk::destroy);
                    ikePort = new IkePort(memory, settings.dataplane().ringSize());
                    opened.push(ikePort);
                    b.add(new IkeInput(ikePort));
                    RingInput ikeOut = new RingInput(IkePort.OUTPUT_NAME, new RingInput.Params(ikePort.ring(), 0));
                    b.add(ikeOut).connect(ikeOut.name(), "next", dev.cipherlane.stages.builtin.Ip4Rewrite.NAME);
                    ike = IkeInput.NAME;
                }
            } else {
                engine = null;
                security = null;
            }
            this.graph = ForwardingGraph.wireNode(b, t, tunnels, esp, host, ike, tx).build();

            for (int w = 0; w < workerCount; w++) {
                EpollIdle idle = EpollIdle.open(settings.dataplane().idleSpinPolls(), EPOLL_TIMEOUT_MS);
                opened.push(idle);
                idles.add(idle);
                for (int fd : fdsByWorker.get(w)) {
                    idle.watch(fd);
                }
                Worker worker = new Worker(graph, memory, w, idle, watch);
                worker.runtime().trace().limit(settings.dataplane().traceMaxPackets());
                workers.add(worker);
            }
            injectFaults(settings.dataplane().faultInjection(), graph);
            List<StageProvider> implementations = new ArrayList<>(BuiltinStages.providers(BuiltinStages.version()));
            if (security != null && settings.ipsec().cryptoThreads() == 0) {
                implementations.addAll(CryptoWiring.providers(BuiltinStages.version()));
            }
            this.stages = new StageSwitchboard(graph, runtimes(), new StageCatalog(implementations),
                    BuiltinStages.version(), SWAP_QUIESCENCE_LIMIT, java.time.Clock.systemUTC());
            for (ParallelRing<AeadEngine> ring : cryptoRings) {
                ring.onBatchDone(idles.get(CryptoWiring.consumer(workerCount))::wake);
            }
            if (ikePort != null) {
                ikePort.wakes(idles.get(0));
            }
            uplink.flatMap(UplinkPort::vf).ifPresent(vf -> vf.wakes(idles.get(vf.worker())::wake));
            if (solicitor != null) {
                solicitor.wakes(idles.get(0));
                control.every(new ForwardingControl.Task("underlay solicitation", 0, solicitor::solicit));
            }
        } catch (IOException | RuntimeException e) {
            releaseAfterFailure(opened, e);
            throw e;
        }
    }

    private static void releaseAfterFailure(ArrayDeque<AutoCloseable> opened, Exception failure) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** A pod's tap as the dataplane's interface: the pod network's gateway on our side of it. */
    private NetInterface podInterface(PodPort pod) {
        var net = settings.podNetwork();
        return new NetInterface(pod.interfaceIndex(), pod.name(), net.gatewayMac().value(), pod.mtu(),
                List.of(new NetInterface.Ip4Address((int) net.gateway4().low(), 32)),
                List.of(new NetInterface.Ip6Address(net.gateway6().high(), net.gateway6().low(), 128)));
    }

    /** The pods attached now, in the order they came (the forwarding tables' record of them). */
    public List<PodPort> pods() {
        return forwarding.pods();
    }

    /**
     * The lowest interface index no pod, uplink or host tap uses: what a pod attached on the
     * running node gets. An index a removed pod freed is safe to reuse, as {@link #removePod}
     * returns only once no worker can still send to it.
     */
    public synchronized int freeInterfaceIndex() {
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (PodPort p : forwarding.pods()) {
            used.add(p.interfaceIndex());
        }
        uplinkView.ifPresent(up -> {
            used.add(up.index());
            used.add(up.hostIndex());
        });
        int i = 0;
        while (used.contains(i)) {
            i++;
        }
        return i;
    }

    /**
     * Attaches {@code pod} (its tap open, its index from {@link #freeInterfaceIndex}) to the
     * running dataplane without pausing anything else: first what sends to it (tap-output's
     * queue table, interface-output's choice, the interface), then its routes and what it may
     * send from, and last its queues as inputs of the running graph, each on the worker with
     * the fewest tap queues. A failure undoes what was made and is thrown.
     */
    public synchronized void addPod(PodPort pod) throws LinuxException {
        for (PodPort p : forwarding.pods()) {
            if (p.name().equals(pod.name()) || p.interfaceIndex() == pod.interfaceIndex()) {
                throw new IllegalArgumentException("pod " + pod.name() + ": interface " + pod.interfaceIndex()
                        + " or its name is taken by pod " + p.name());
            }
        }
        try {
            interfaces.put(podInterface(pod));
            tapQueues.put(pod.interfaceIndex(), pod.queueFds());
            if (outputOf != null) {
                outputOf.put(pod.interfaceIndex(), TapOutput.NAME);
            }
            reconfigureOutputs();
            forwarding.addPod(pod);
            neighbours.learning(NeighbourLearning.policy(forwarding.pods(), uplinkView));
            int[] fds = pod.queueFds();
            for (int q = 0; q < fds.length; q++) {
                int worker = leastLoadedWorker();
                String name = TapInput.name(pod.name(), q);
                idles.get(worker).watch(fds[q]);
                queueWorker.put(name, worker);
                queuesOnWorker[worker]++;
                graph.addInput(new TapInput(new TapInput.Params(fds[q], pod.interfaceIndex(), pod.name(), q, worker)),
                        Map.of("ethernet-input", EthernetInput.NAME));
                // A sleeping worker takes the new input up at once rather than at its next wake-up.
                idles.get(worker).wakeUp();
            }
        } catch (LinuxException | RuntimeException e) {
            try {
                detach(pod);
            } catch (InterruptedException | RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Detaches pod {@code name} from the running dataplane, the reverse of {@link #addPod}:
     * its queues leave the graph and, once no worker can still be reading them, epoll; then
     * its routes and ingress rule go (after the inputs, so nothing it sends is ever judged
     * as coming from an unknown interface); once no worker can still be sending to it, it
     * leaves tap-output and the interface table. Its fds are the caller's to close after.
     * Tolerates a pod half attached (an {@link #addPod} that failed). Returns the pod, or
     * empty if it is not attached.
     */
    public synchronized Optional<PodPort> removePod(String name) throws InterruptedException {
        Optional<PodPort> pod = forwarding.pods().stream().filter(p -> p.name().equals(name)).findFirst();
        if (pod.isPresent()) {
            detach(pod.get());
        }
        return pod;
    }

    /** {@link #removePod}'s steps, each one skipped where {@link #addPod} had not got to it. */
    private void detach(PodPort pod) throws InterruptedException {
        String name = pod.name();
        int[] fds = pod.queueFds();
        for (int q = 0; q < fds.length; q++) {
            String input = TapInput.name(name, q);
            if (graph.has(input)) {
                graph.removeInput(input);
            }
        }
        awaitWorkers();
        for (int q = 0; q < fds.length; q++) {
            Integer worker = queueWorker.remove(TapInput.name(name, q));
            if (worker != null) {
                queuesOnWorker[worker]--;
                try {
                    idles.get(worker).unwatch(fds[q]);
                } catch (LinuxException e) {
                    LOG.warn("pod {}: unwatching tap queue {}: {}", name, q, e.getMessage());
                }
            }
        }
        forwarding.removePod(name);
        awaitWorkers();
        neighbours.learning(NeighbourLearning.policy(forwarding.pods(), uplinkView));
        tapQueues.remove(pod.interfaceIndex());
        if (outputOf != null) {
            outputOf.remove(pod.interfaceIndex());
        }
        reconfigureOutputs();
        interfaces.remove(pod.interfaceIndex());
    }

    /** Waits until every worker has finished the round it is in, so none still uses what was just unpublished. */
    private void awaitWorkers() throws InterruptedException {
        if (!Quiescence.mark(runtimes()).await(SWAP_QUIESCENCE_LIMIT)) {
            // A worker stuck in one round this long is itself the problem; its health says so.
            LOG.warn("a worker did not finish its round within {} ms of a pod change", SWAP_QUIESCENCE_LIMIT.toMillis());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("waiting for the workers after a pod change");
        }
    }

    @SuppressWarnings("unchecked")
    private void reconfigureOutputs() {
        ((Stage<TapOutput.Params>) graph.slot(TapOutput.NAME).stage()).reconfig(TapOutput.Params.of(tapQueues));
        if (outputOf != null) {
            ((Stage<InterfaceOutput.Params>) graph.slot(InterfaceOutput.NAME).stage())
                    .reconfig(InterfaceOutput.Params.of(outputStages, outputOf));
        }
    }

    private int leastLoadedWorker() {
        int best = 0;
        for (int w = 1; w < queuesOnWorker.length; w++) {
            if (queuesOnWorker[w] < queuesOnWorker[best]) {
                best = w;
            }
        }
        return best;
    }

    /** Changes one peer live ({@link PeerChanges#changePeer}). */
    @Override
    public synchronized TunnelChange changePeer(PeerSettings before, PeerSettings after)
            throws IOException, InterruptedException {
        return peerChanges().changePeer(before, after);
    }

    private PeerChanges peerChanges() {
        return new PeerChanges(forwarding, security, this::awaitWorkers, (peer, tunnels) -> controls(tunnels, name -> peer));
    }

    static String tunnelName(NodeForwarding.TunnelInfo t) {
        return t.peer() + "/" + t.ordinal();
    }

    /** The settings the dataplane was built or last reconfigured with. */
    public NodeSettings settings() {
        return settings;
    }

    /** Chaos testing: the configured stage throws on one packet in N on every worker. */
    private void injectFaults(FaultInjectionSettings faults, Graph graph) {
        if (faults.stage().isEmpty()) {
            return;
        }
        String stage = faults.stage().get();
        try {
            graph.slot(stage);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dataplane.fault-injection.stage: " + e.getMessage(), e);
        }
        LOG.warn("fault injection on: stage {} throws {} on one packet in {} it passes on", stage,
                faults.killsWorker() ? "an error that ends its worker" : "an exception", faults.oneIn());
        for (Worker w : workers) {
            w.runtime().injectFaults(stage, faults.oneIn(), faults.killsWorker());
        }
    }

    private static void addTapInput(Graph.Builder b, TapInput.Params p) {
        TapInput input = new TapInput(p);
        b.add(input).connect(input.name(), "ethernet-input", EthernetInput.NAME);
    }

    /** The kernel's addresses on the host tap are the node's own, not the tunnel sources. */
    private static HostRedirect.Params hostRedirect(UplinkInterface up, long ourMac) {
        int[] ip4 = new int[up.ip4().size()];
        for (int i = 0; i < ip4.length; i++) {
            ip4[i] = up.ip4().get(i).address();
        }
        long[] ip6 = new long[up.ip6().size() * 2];
        for (int i = 0; i < up.ip6().size(); i++) {
            ip6[2 * i] = up.ip6().get(i).hi();
            ip6[2 * i + 1] = up.ip6().get(i).lo();
        }
        return new HostRedirect.Params(up.hostIndex(), up.mac(), ourMac, ip4, ip6);
    }

    private void ageNeighbours() {
        neighbours.expire(System.nanoTime());
        forwarding.resolve();
    }

    /**
     * Builds the dataplane for {@code pods} and the uplink, if any, and starts its workers; its
     * {@link #control} is the caller's to run. {@code watch} hears of a worker whose thread
     * died; {@link #restartWorker} brings it back.
     */
    public static Dataplane start(NodeSettings settings, List<PodPort> pods, Optional<UplinkPort> uplink,
            Worker.Watch watch) throws IOException {
        Dataplane d = new Dataplane(settings, pods, uplink, watch);
        d.punt.start();
        if (d.ikePort != null) {
            d.ikePort.start(d.ikeDispatch::deliver);
        }
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

    /** The control logic of this dataplane, idle until its owner runs it. */
    public ForwardingControl control() {
        return control;
    }

    NodeForwarding forwarding() {
        return forwarding;
    }

    TunnelCounters tunnelCounters() {
        return tunnelCounters;
    }

    /**
     * Applies a reload's changes in place, all or none: each must be one of
     * {@link LiveSettings#IN_PLACE}; if one fails, those already made are undone in reverse
     * order and the failure is thrown. Called by the supervisor actor, one reload at a time.
     */
    public void reconfigure(NodeSettings neu, List<ConfigChange> changes) {
        List<Runnable> undo = new ArrayList<>();
        try {
            for (ConfigChange c : changes) {
                undo.add(apply(c.path(), neu));
            }
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            throw e;
        }
        settings = neu;
    }

    /** Makes the change to {@code path} that {@code neu} holds; returns how to undo it. */
    private Runnable apply(String path, NodeSettings neu) {
        NodeSettings old = settings;
        String setting = path.substring(NodeSettings.ROOT.length() + 1);
        switch (setting) {
            case "dataplane.trace.max-packets" -> {
                traceLimit(neu.dataplane().traceMaxPackets());
                return () -> traceLimit(old.dataplane().traceMaxPackets());
            }
            case "dataplane.idle.spin-polls" -> {
                idles.forEach(i -> i.spinPolls(neu.dataplane().idleSpinPolls()));
                return () -> idles.forEach(i -> i.spinPolls(old.dataplane().idleSpinPolls()));
            }
            case "neighbour.reachable-time" -> {
                neighbours.reachableTime(neu.neighbour().reachableTime().toNanos());
                return () -> neighbours.reachableTime(old.neighbour().reachableTime().toNanos());
            }
            default -> throw new IllegalArgumentException(path + " cannot be changed on a running node");
        }
    }

    private void traceLimit(int packets) {
        for (Worker w : workers) {
            w.runtime().trace().limit(packets);
        }
    }

    /**
     * Each protected tunnel's control, for its {@code Tunnel} actor: its SAs' limits, checked
     * every {@link #SA_LIMITS_PERIOD}; none with IPsec off.
     */
    @Override
    public List<TunnelControl> tunnelControls() {
        return controls(forwarding.tunnelInfo(), name -> settings.peers().stream().filter(p -> p.name().equals(name))
                .findFirst().orElseThrow(() -> new IllegalStateException("tunnel of an unknown peer " + name)));
    }

    /** @param peers each tunnel's peer settings, by the peer's name */
    private List<TunnelControl> controls(List<NodeForwarding.TunnelInfo> tunnels,
            java.util.function.Function<String, PeerSettings> peers) {
        if (security == null) {
            return List.of();
        }
        List<TunnelControl> out = new ArrayList<>();
        for (NodeForwarding.TunnelInfo t : tunnels) {
            String name = tunnelName(t);
            Optional<TunnelIke> ike = ikePort == null ? Optional.empty() : Optional.of(IkeWiring.tunnelIke(t,
                    IkeWiring.config(t, peers.apply(t.peer()), psk, settings.ipsec().ike()), ikePort, forwarding, security, ikeStatus, cookies, halfOpen));
            out.add(new TunnelControl() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public boolean checkLimits() {
                    return security.checkLimits(t.index()).stream().anyMatch(e -> !e.limit().hard());
                }

                @Override
                public Optional<TunnelIke> ike() {
                    return ike;
                }
            });
        }
        return out;
    }

    @Override
    public Optional<IkeDispatch> ikeDispatch() {
        return ikePort == null ? Optional.empty() : Optional.of(ikeDispatch);
    }

    /** Runs worker {@code index} again on a new thread after its thread died; false if it did not die. */
    public boolean restartWorker(int index) throws InterruptedException {
        return workers.get(index).restart();
    }

    public List<Worker.Health> workerHealth() {
        List<Worker.Health> out = new ArrayList<>();
        for (Worker w : workers) {
            out.add(w.health());
        }
        return out;
    }

    @Override
    public String showRuntime() {
        return views().runtime().text();
    }

    @Override
    public String showHealth() {
        return views().health().text();
    }

    @Override
    public String showErrors() {
        return views().errors().text();
    }

    @Override
    public String showInterfaces() {
        return views().interfaces().text();
    }

    @Override
    public String showTunnels() {
        return views().tunnels().text();
    }

    @Override
    public String showSa() {
        return views().sa().text();
    }

    @Override
    public String showNeighbours() {
        return views().neighbours().text();
    }

    @Override
    public int trace(int n) {
        int armed = 0;
        for (Worker w : workers) {
            armed = Math.max(armed, w.runtime().trace().arm(n));
        }
        return armed;
    }

    @Override
    public void clearTrace() {
        for (Worker w : workers) {
            w.runtime().trace().clear();
        }
    }

    @Override
    public StageSwitchboard stages() {
        return stages;
    }

    @Override
    public String showTrace() {
        return views().trace().text();
    }

    /** The operator views, drawn from this dataplane's parts as they are now. */
    @Override
    public OperatorViews views() {
        return new DataplaneViews(new DataplaneViews.Parts(forwarding.pods(), uplink, interfaces, memory::inUse, punt::received,
                neighbours, forwarding, tunnelCounters, security, engine, this::workerHealth, this::runtimes,
                () -> ikeStatus, ikeDispatch::unknown));
    }

    /** Stops the workers and the control logic and frees every buffer; taps and uplink stay. */
    @Override
    public void close() throws InterruptedException, IOException {
        for (Worker w : workers) {
            w.stop();
        }
        for (ParallelRing<AeadEngine> ring : cryptoRings) {
            // After the workers: whatever is still in flight comes back and is freed.
            ring.shutdown();
        }
        control.detach();
        for (EpollIdle idle : idles) {
            idle.close();
        }
        if (solicitor != null) {
            solicitor.close();
        }
        punt.close();
        if (ikePort != null) {
            ikePort.close();
        }
        if (security != null) {
            security.close();
        }
        if (psk != null) {
            psk.destroy();
        }
        memory.close();
    }
}

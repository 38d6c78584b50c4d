package dev.cipherlane.testbed;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cipherlane nodes and their pods on one machine, as DESIGN.md's testbed describes: every
 * node and every pod is a network namespace, nodes are joined by veth wires, and each node
 * is a real {@code cipherlane run} process (see {@link Launcher}) with a real config file
 * ({@link LabConfig}) that attaches its pods and takes over its wire as uplink, its tunnels
 * protected by ESP with mirrored static key files ({@link LabKeys}) unless the spec turns
 * ESP off.
 *
 * <pre>
 *   two nodes         [n1 wire0]=========veth=========[wire0 n2]
 *   with a relay      [n1 wire0]==veth==[ra relay rb]==veth==[wire0 n2]
 *   more nodes        [nK wire0]==veth==[pK hub], pK enslaved to bridge br0 in the hub
 * </pre>
 *
 * Namespaces are named from one random prefix, family plus 5 hex digits: {@code <prefix>-n1},
 * {@code <prefix>-n1p2}, {@code <prefix>-relay}, {@code <prefix>-hub}. A relay namespace only
 * holds the two veth ends; something (the chaos tests' impairment relay) must forward
 * between them. {@link #close()} tears down whatever was built, however far setup got:
 * tools, node processes, namespaces (and with them the pods' persistent taps and the nodes'
 * host taps) and the lab directory; a shutdown hook does the same if the JVM exits first.
 */
public final class Lab implements AutoCloseable {
    /** The relay namespace's veth end toward node 1 and toward node 2. */
    public static final String RELAY_PORT_A = "ra";
    public static final String RELAY_PORT_B = "rb";
    public static final String HUB_BRIDGE = "br0";

    private final LabSpec spec;
    private final String prefix;
    private final Path dir;
    private final boolean ownsDirectory;
    private final Launcher launcher;
    private final List<LabNode> nodes = new ArrayList<>();
    private final List<Namespace> namespaces = new ArrayList<>();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final List<Process> tools = new ArrayList<>();
    private final Thread shutdownHook = Thread.ofPlatform().unstarted(this::closeQuietly);
    private Namespace relay;
    private boolean keepDirectory;
    private boolean closed;

    private Lab(LabSpec spec, String prefix, Path dir, boolean ownsDirectory, Launcher launcher) {
        this.spec = spec;
        this.prefix = prefix;
        this.dir = dir;
        this.ownsDirectory = ownsDirectory;
        this.launcher = launcher;
    }

    /** Builds the lab in a new temporary directory with {@link Launcher#find()}; nothing runs yet. */
    public static Lab create(LabSpec spec) throws Exception {
        return create(spec, null, Launcher.find());
    }

    /**
     * Builds namespaces, wires and config files; nothing runs until {@link #start()}.
     *
     * @param dir the lab's directory (configs, state, admin sockets, logs), or null for a new
     *            temporary one that {@link #close()} deletes
     */
    public static Lab create(LabSpec spec, Path dir, Launcher launcher) throws Exception {
        String prefix = spec.family() + HexFormat.of().toHexDigits(new SecureRandom().nextInt()).substring(0, 5);
        Path d = dir != null ? dir : Files.createTempDirectory("cipherlane-lab-" + prefix);
        Lab lab = new Lab(spec, prefix, d, dir == null, launcher);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
        } catch (Exception | Error e) {
            try {
                lab.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return lab;
    }

    private void build() throws Exception {
        removeLeftovers();
        List<Namespace> nodeNamespaces = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            String nodeNs = prefix + "-n" + n;
            nodeNamespaces.add(addNamespace(nodeNs));
            List<LabPod> pods = new ArrayList<>();
            for (int p = 1; p <= spec.podsPerNode(); p++) {
                LabPod pod = new LabPod("n" + n + "p" + p, prefix + "-n" + n + "p" + p, n,
                        AddressPlan.pod4(n, p), AddressPlan.pod6(n, p));
                addNamespace(pod.netns());
                pods.add(pod);
            }
            Path nodeDir = dir.resolve(LabConfig.nodeName(n));
            Files.createDirectories(nodeDir);
            nodes.add(new LabNode(spec, n, nodeNs, pods, nodeDir, launcher));
        }
        wire(nodeNamespaces);
        if (spec.uplink() && spec.ipsec().enabled()) {
            LabKeys.write(spec, nodes.stream().map(LabNode::keyDirectory).toList(), new SecureRandom());
        }
        for (LabNode node : nodes) {
            node.writeConfig();
        }
    }

    /**
     * Namespaces with this lab's prefix can only be left by an earlier run that drew the same
     * random prefix and crashed before its teardown; nothing else is ever touched.
     */
    private void removeLeftovers() throws IOException {
        Path named = Path.of(NetNamespace.NAMED_DIRECTORY);
        if (!Files.isDirectory(named)) {
            return;
        }
        List<String> stale;
        try (Stream<Path> entries = Files.list(named)) {
            stale = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + "-")).toList();
        }
        for (String ns : stale) {
            Namespace.deleteIfExists(ns);
        }
    }

    private Namespace addNamespace(String name) throws IOException {
        Namespace ns = Namespace.create(name);
        namespaces.add(ns);
        ns.linkUp("lo");
        return ns;
    }

    /** Joins the nodes' wires (see the class comment) and gives each node its underlay address. */
    private void wire(List<Namespace> nodeNamespaces) throws Exception {
        int mtu = spec.uplinkMtu();
        if (spec.nodes() == 2 && !spec.relay()) {
            Wire.join(nodeNamespaces.get(0), LabNode.WIRE, nodeNamespaces.get(1), LabNode.WIRE, mtu);
        } else if (spec.relay()) {
            relay = addNamespace(prefix + "-relay");
            relay.disableIpv6();
            String[] ports = {RELAY_PORT_A, RELAY_PORT_B};
            for (int i = 0; i < 2; i++) {
                Wire w = Wire.join(relay, ports[i], nodeNamespaces.get(i), LabNode.WIRE, mtu);
                // A userspace relay sees frames as the kernel holds them: no 64 KB super-frames,
                // no partial checksums (see the chaos tests' ImpairmentRelay).
                noOffloads(relay, ports[i]);
                noOffloads(nodeNamespaces.get(i), LabNode.WIRE);
                relay.rtnetlink().linkSetUp(w.indexA());
            }
        } else if (spec.nodes() > 2) {
            Namespace hub = addNamespace(prefix + "-hub");
            hub.disableIpv6();
            try {
                hub.rtnetlink().bridgeAdd(HUB_BRIDGE);
            } catch (LinuxException e) {
                throw new IOException("a lab of " + spec.nodes() + " nodes joins them with a bridge, and this kernel"
                        + " has none: " + e.getMessage(), e);
            }
            int bridge = hub.linkIndex(HUB_BRIDGE);
            hub.rtnetlink().linkSetUp(bridge);
            for (int i = 0; i < nodes.size(); i++) {
                Wire w = Wire.join(hub, "p" + nodes.get(i).number(), nodeNamespaces.get(i), LabNode.WIRE, mtu);
                hub.rtnetlink().linkSetMaster(w.indexA(), bridge);
                hub.rtnetlink().linkSetUp(w.indexA());
            }
        }
        if (spec.nodes() > 1) {
            for (int i = 0; i < nodes.size(); i++) {
                Namespace ns = nodeNamespaces.get(i);
                int wire = ns.linkIndex(LabNode.WIRE);
                ns.rtnetlink().addressAdd(wire, InetAddress.ofLiteral(nodes.get(i).underlay()),
                        AddressPlan.UNDERLAY_PREFIX_LENGTH);
                ns.rtnetlink().linkSetUp(wire);
            }
        }
    }

    /** ethtool, there being no rtnetlink message for offload features. */
    private static void noOffloads(Namespace ns, String dev) throws IOException, InterruptedException {
        ns.exec("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
    }

    /**
     * Starts every node and waits until all serve. The launcher is readied first, so a build
     * it needs happens once, not in every node at the same time.
     */
    public void start() throws Exception {
        launcher.prepare();
        for (LabNode node : nodes) {
            node.start();
        }
        for (LabNode node : nodes) {
            node.awaitReady(LabNode.START_LIMIT);
        }
    }

    /** Whether this process runs with effective uid 0, as a lab needs (namespaces, taps, packet sockets). */
    public static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public LabSpec spec() {
        return spec;
    }

    /** The random part every namespace name of this lab starts with. */
    public String prefix() {
        return prefix;
    }

    public Path directory() {
        return dir;
    }

    public Launcher launcher() {
        return launcher;
    }

    public List<LabNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Node {@code n}, counting from 1. */
    public LabNode node(int n) {
        return nodes.get(n - 1);
    }

    public List<LabPod> pods() {
        return nodes.stream().flatMap(n -> n.pods().stream()).toList();
    }

    /**
     * A pod of node {@code n} that its config does not list, for pods attached on a running node
     * ({@code ctl pod add}, a reload that adds one): its namespace is made now and deleted with
     * the lab, and its addresses are pod {@code p}'s of the node's pod CIDRs, so the node's peers
     * route to it. Numbers above the configured pods' keep clear of them.
     */
    public synchronized LabPod extraPod(int n, int p) throws IOException {
        if (p <= spec.podsPerNode()) {
            throw new IllegalArgumentException("pod " + p + " of node " + n + " is a configured one");
        }
        LabPod pod = new LabPod("n" + n + "p" + p, prefix + "-n" + n + "p" + p, n, AddressPlan.pod4(n, p),
                AddressPlan.pod6(n, p));
        addNamespace(pod.netns());
        return pod;
    }

    /** The relay namespace holding {@link #RELAY_PORT_A} and {@link #RELAY_PORT_B}. */
    public String relayNetns() {
        if (relay == null) {
            throw new IllegalStateException("this lab has no relay");
        }
        return relay.name();
    }

    /** Every namespace this lab made, in the order it made them. */
    public List<String> namespaces() {
        return namespaces.stream().map(Namespace::name).toList();
    }

    /** The namespace of this lab named {@code name} (a node's, a pod's, the relay's). */
    public Namespace namespace(String name) {
        return namespaces.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(this + " has no namespace " + name));
    }

    /** Closed by {@link #close()} before the namespaces go: a socket keeps its namespace alive. */
    public synchronized <T extends AutoCloseable> T closeLater(T resource) {
        closeables.push(resource);
        return resource;
    }

    /** Starts {@code command} inside {@code netns}, output to {@code <logName>.txt}; killed at close. */
    public Process spawn(String netns, String logName, List<String> command) throws IOException {
        Process p = new ProcessBuilder(Commands.inNamespace(netns, command)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName + ".txt").toFile()).start();
        synchronized (this) {
            tools.add(p);
        }
        return p;
    }

    /** The output of a tool started by {@link #spawn}. */
    public String toolLog(String logName) throws IOException {
        return Files.readString(dir.resolve(logName + ".txt"));
    }

    /** Keep the lab directory (configs, logs) at close, for someone to look at after a failure. */
    public void keepDirectory() {
        keepDirectory = true;
    }

    /** Every node's logs. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (LabNode n : nodes) {
            sb.append(n.log());
        }
        return sb.toString();
    }

    /** Every node's logs, views and kernel state, for a failure message. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (LabNode n : nodes) {
            sb.append(n.diagnostics());
        }
        return sb.toString();
    }

    /**
     * Tears down everything, whatever state setup or a test left: closes handed-over
     * resources, kills tools and nodes, deletes the namespaces and, if it made it, the lab
     * directory. Safe to call twice.
     *
     * @throws IllegalStateException listing what could not be removed, after trying it all
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Running as the hook itself.
        }
        // Teardown must finish even for an interrupted caller; the interrupt is kept for it.
        boolean interrupted = Thread.interrupted();
        List<Throwable> problems = new ArrayList<>();
        while (true) {
            AutoCloseable c;
            synchronized (this) {
                c = closeables.poll();
            }
            if (c == null) {
                break;
            }
            try {
                c.close();
            } catch (Exception e) {
                problems.add(e);
            }
        }
        List<Process> running;
        synchronized (this) {
            running = List.copyOf(tools);
        }
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (LabNode node : nodes) {
            try {
                node.kill();
            } catch (IOException | InterruptedException e) {
                problems.add(e);
            }
        }
        for (Process p : running) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    problems.add(new IllegalStateException(p.info().commandLine().orElse("a tool") + " survived SIGKILL"));
                }
            } catch (InterruptedException e) {
                problems.add(e);
            }
        }
        for (Namespace ns : namespaces.reversed()) {
            try {
                ns.close();
            } catch (LinuxException e) {
                problems.add(e);
            }
        }
        if (ownsDirectory && !keepDirectory) {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                problems.add(e);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException("lab " + prefix + " teardown: " + problems.size()
                    + " problem(s): " + problems.getFirst());
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("cipherlane lab: " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public String toString() {
        return "lab " + prefix + " (" + spec.nodes() + " nodes, " + spec.podsPerNode() + " pods each"
                + (spec.relay() ? ", relay" : "") + (spec.uplink() ? ", " + spec.ipsec() : "") + ") in " + dir;
    }
}

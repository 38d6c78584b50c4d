package dev.cipherlane.testbed;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Rtnetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * A named network namespace made for a lab or a test, and the one way the testbed makes
 * one: {@link NetNamespace#add} (what {@code ip netns add} does, without running it), so
 * {@code ip netns exec} and every other tool find it under {@code /run/netns}. It comes
 * with an open handle and an rtnetlink client inside, through which the testbed builds
 * links, addresses and routes ({@link Wire} for veth wires). Tools run inside it through
 * {@link #command} ({@code ip netns exec}, which only enters the namespace and execs the
 * tool).
 *
 * <p>{@link #close()} closes the handle and the client first (each would keep the
 * namespace alive) and then deletes the name; the namespace goes, with its interfaces and
 * any persistent tap inside, once no process or socket holds it any more. Safe to call
 * twice, and after a failed {@link #create} nothing is left to close.
 */
public final class Namespace implements AutoCloseable {
    private final String name;
    private final NetNamespace handle;
    private final Rtnetlink rtnetlink;
    private boolean closed;

    private Namespace(String name, NetNamespace handle, Rtnetlink rtnetlink) {
        this.name = name;
        this.handle = handle;
        this.rtnetlink = rtnetlink;
    }

    /** Makes namespace {@code name}: new and empty, its {@code lo} down. EEXIST if the name is taken. */
    public static Namespace create(String name) throws IOException {
        NetNamespace.add(name);
        NetNamespace handle = null;
        try {
            handle = NetNamespace.named(name);
            return new Namespace(name, handle, Rtnetlink.open(handle));
        } catch (IOException | RuntimeException | Error e) {
            if (handle != null) {
                closeQuietly(handle, e);
            }
            try {
                NetNamespace.delete(name);
            } catch (LinuxException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Makes a namespace named {@code <prefix>-<8 random hex digits>}. */
    public static Namespace withRandomName(String prefix) throws IOException {
        return create(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Deletes named namespace {@code name} if there is one (a leftover of a crashed run). */
    public static void deleteIfExists(String name) throws LinuxException {
        if (NetNamespace.exists(name)) {
            NetNamespace.delete(name);
        }
    }

    public String name() {
        return name;
    }

    /** The open namespace: to enter with {@link NetNamespace#runIn}, to move links into. */
    public NetNamespace handle() {
        return handle;
    }

    /** An rtnetlink client for this namespace (usable from any thread). */
    public Rtnetlink rtnetlink() {
        return rtnetlink;
    }

    public int linkIndex(String link) throws LinuxException {
        return rtnetlink.linkIndex(link);
    }

    /** Whether interface {@code link} is in here. */
    public boolean hasLink(String link) throws LinuxException {
        return rtnetlink.links().stream().anyMatch(l -> l.name().equals(link));
    }

    /** Sets interface {@code link} up. */
    public void linkUp(String link) throws LinuxException {
        rtnetlink.linkSetUp(rtnetlink.linkIndex(link));
    }

    /**
     * Writes sysctl {@code key} ("net.ipv6.conf.all.disable_ipv6") as {@code sysctl -w} does,
     * into its /proc/sys file from a thread inside the namespace: the kernel resolves
     * /proc/sys/net by the network namespace of the task that looks it up.
     */
    public void sysctl(String key, String value) throws Exception {
        Path file = Path.of("/proc/sys", key.replace('.', '/'));
        call(() -> Files.writeString(file, value));
    }

    /** Reads sysctl {@code key} in this namespace. */
    public String sysctl(String key) throws Exception {
        Path file = Path.of("/proc/sys", key.replace('.', '/'));
        return call(() -> Files.readString(file).strip());
    }

    /**
     * No IPv6 on any interface, present or future: the namespace sends no router or
     * neighbour solicitations and no MLD reports of its own.
     */
    public void disableIpv6() throws Exception {
        sysctl("net.ipv6.conf.all.disable_ipv6", "1");
        sysctl("net.ipv6.conf.default.disable_ipv6", "1");
    }

    /** Runs {@code work} on a thread inside the namespace ({@link InNamespace}). */
    public <T> T call(Callable<T> work) throws Exception {
        return InNamespace.call(name, work);
    }

    /** {@code command} as run inside this namespace ({@link Commands#inNamespace}). */
    public List<String> command(List<String> command) {
        return Commands.inNamespace(name, command);
    }

    /** Runs {@code command} inside the namespace and returns its output; a failure is an exception. */
    public String exec(String... command) throws IOException, InterruptedException {
        return Commands.checkIn(name, command);
    }

    /**
     * Closes the handle and the rtnetlink client, then deletes the name.
     *
     * @throws LinuxException after trying all three, the first failure with the others suppressed
     */
    @Override
    public synchronized void close() throws LinuxException {
        if (closed) {
            return;
        }
        closed = true;
        List<LinuxException> failures = new ArrayList<>();
        for (AutoCloseable c : List.<AutoCloseable>of(rtnetlink, handle)) {
            try {
                c.close();
            } catch (LinuxException e) {
                failures.add(e);
            } catch (Exception e) {
                throw new AssertionError("closes only throw LinuxException", e);
            }
        }
        try {
            deleteIfExists(name);
        } catch (LinuxException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            LinuxException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * The links, addresses, routes and neighbours of named namespace {@code name}, one a
     * line, read over rtnetlink: for failure messages.
     */
    public static String describe(String name) {
        StringBuilder sb = new StringBuilder();
        try (NetNamespace handle = NetNamespace.named(name); Rtnetlink rtnl = Rtnetlink.open(handle)) {
            for (List<?> items : List.of(rtnl.links(), rtnl.addresses(0), rtnl.routes(), rtnl.neighbours(0))) {
                items.forEach(i -> sb.append(i).append('\n'));
            }
        } catch (IOException | RuntimeException e) {
            sb.append(name).append(": ").append(e).append('\n');
        }
        return sb.toString();
    }

    private static void closeQuietly(NetNamespace handle, Throwable pending) {
        try {
            handle.close();
        } catch (LinuxException e) {
            pending.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "namespace " + name;
    }
}

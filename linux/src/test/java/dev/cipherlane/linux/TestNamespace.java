package dev.cipherlane.linux;

import java.io.IOException;
import java.util.UUID;

/**
 * A named network namespace {@code cltest-<random>} made for one test by
 * {@link NetNamespace#add} and removed again by {@link #close()}, which tests call from
 * @AfterEach so it happens even when the test failed. {@link #ip} looks into it with
 * iproute2, the independent reader the tests check our rtnetlink against. Only root tests
 * use it. (The testbed module's namespaces are built on the same calls; this module's
 * tests cannot use that module, which depends on this one.)
 */
final class TestNamespace implements AutoCloseable {
    final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    static TestNamespace create() throws LinuxException {
        return create("cltest");
    }

    /** A namespace named {@code <prefix>-<random>}. */
    static TestNamespace create(String prefix) throws LinuxException {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        NetNamespace.add(name);
        return new TestNamespace(name);
    }

    /** Runs {@code ip -n <ns> args...} and returns its output. */
    String ip(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Shell.run(cmd);
    }

    NetNamespace open() throws LinuxException {
        return NetNamespace.named(name);
    }

    /** Whether the test created or moved interface {@code ifname} in here and it is still there. */
    boolean hasLink(String ifname) throws IOException, InterruptedException {
        return Shell.exitCode("ip", "-n", name, "link", "show", "dev", ifname) == 0;
    }

    /** Deletes the namespace; links inside it (taps, veths) are destroyed with it. */
    @Override
    public void close() throws LinuxException {
        if (NetNamespace.exists(name)) {
            NetNamespace.delete(name);
        }
    }
}

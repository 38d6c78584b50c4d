package dev.cipherlane.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A network namespace made for one test with {@code ip netns add cltest-<random>} and
 * removed again by {@link #close()}, which tests call from @AfterEach so it happens even
 * when the test failed. Only root tests use it.
 */
final class TestNamespace implements AutoCloseable {
    final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    static TestNamespace create() throws IOException, InterruptedException {
        return create("cltest");
    }

    /** A namespace named {@code <prefix>-<random>}. */
    static TestNamespace create(String prefix) throws IOException, InterruptedException {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Shell.run("ip", "netns", "add", name);
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
    public void close() throws IOException {
        if (Files.exists(Path.of(NetNamespace.NAMED_DIRECTORY, name))) {
            try {
                Shell.run("ip", "netns", "del", name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted deleting namespace " + name, e);
            }
        }
    }
}

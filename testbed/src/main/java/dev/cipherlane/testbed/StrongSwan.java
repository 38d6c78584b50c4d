package dev.cipherlane.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * strongSwan's charon as a lab's IPsec gateway, the independent IKEv2 and ESP peer of the
 * interop tests: one charon per node namespace, each in a mount namespace of its own with a
 * private /run (where charon keeps its pid file), configured by its own strongswan.conf
 * ({@code STRONGSWAN_CONF}) and reached by swanctl through a vici socket in the lab's
 * directory. This kernel has no ESP, so charon runs ESP in userspace with kernel-libipsec,
 * which takes only ESP in UDP (RFC 3948) and no ESN: the connections force UDP encapsulation
 * ({@code encap = yes}). Its tun device carries the decrypted packets, and it routes the
 * peer's selectors into it from an address of its own selectors, which must be on the host.
 *
 * <p>Killed with the lab ({@link Lab#spawn}); {@link #close()} also stops it.
 */
public final class StrongSwan implements AutoCloseable {
    public static final String CHARON = "/usr/lib/ipsec/charon";
    public static final String SWANCTL = "/usr/sbin/swanctl";
    static final String LIBIPSEC = "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so";
    static final String OPENSSL = "/usr/lib/ipsec/plugins/libstrongswan-openssl.so";

    private final Lab lab;
    private final String netns;
    private final Path dir;
    private final String logName;
    private final Process charon;

    private StrongSwan(Lab lab, String netns, Path dir, String logName, Process charon) {
        this.lab = lab;
        this.netns = netns;
        this.dir = dir;
        this.logName = logName;
        this.charon = charon;
    }

    /** What this machine lacks to run a gateway, or empty if nothing. */
    public static Optional<String> missing() {
        for (String f : List.of(CHARON, SWANCTL, LIBIPSEC, OPENSSL)) {
            if (!Files.exists(Path.of(f))) {
                return Optional.of(f + " (Debian strongswan-charon, strongswan-swanctl, libcharon-extra-plugins,"
                        + " libstrongswan-standard-plugins)");
            }
        }
        return Optional.empty();
    }

    /**
     * Starts charon in {@code netns}, waits until it answers on vici, and loads
     * {@code swanctl} (the text of a swanctl.conf: connections and secrets).
     *
     * @param name     names the gateway's directory and log inside the lab's directory
     * @param timeouts charon's retransmission settings, strongswan.conf lines such as
     *                 {@code retransmit_timeout = 0.5}
     */
    public static StrongSwan start(Lab lab, String netns, String name, String swanctl, List<String> timeouts)
            throws IOException, InterruptedException {
        Path dir = lab.directory().resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("strongswan.conf"), strongswanConf(dir, timeouts));
        Files.writeString(dir.resolve("swanctl.conf"), swanctl);
        String script = "mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan && exec env STRONGSWAN_CONF="
                + dir.resolve("strongswan.conf") + " " + CHARON;
        Process p = lab.spawn(netns, name, List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script));
        StrongSwan s = new StrongSwan(lab, netns, dir, name, p);
        try {
            s.awaitVici(Duration.ofSeconds(20));
            s.swanctl("--load-all", "--file", dir.resolve("swanctl.conf").toString());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static String strongswanConf(Path dir, List<String> timeouts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by the Cipherlane lab.\n");
        sb.append("charon {\n");
        // kernel-libipsec before kernel-netlink: its ESP, netlink's routes and addresses.
        sb.append("  load = random nonce openssl kdf pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default"
                + " vici updown\n");
        // No fewer than the default 16: kernel-libipsec, kernel-netlink and vici each hold
        // workers for good, and with too few left vici's requests are never served.
        sb.append("  threads = 16\n");
        sb.append("  install_routes = yes\n");
        for (String t : timeouts) {
            sb.append("  ").append(t).append('\n');
        }
        sb.append("  plugins { vici { socket = unix://").append(dir.resolve("charon.vici")).append(" } }\n");
        sb.append("  filelog {\n    lab {\n      path = ").append(dir.resolve("charon.log"))
                .append("\n      time_format = %H:%M:%S\n      flush_line = yes\n      default = 1\n      ike = 2\n"
                        + "      knl = 1\n      esp = 1\n    }\n  }\n");
        sb.append("}\n");
        sb.append("swanctl { load = random nonce openssl kdf pem pkcs1 x509 pubkey }\n");
        return sb.toString();
    }

    private void awaitVici(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Commands.Result last = null;
        while (System.nanoTime() < deadline) {
            if (!charon.isAlive()) {
                throw new IOException("charon in " + netns + " exited " + charon.exitValue() + ":\n" + log());
            }
            if (Files.exists(dir.resolve("charon.vici"))) {
                last = Commands.run(Commands.DEFAULT_LIMIT, command("--stats"));
                if (last.ok()) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("charon in " + netns + " did not answer on vici within " + limit + ": " + last
                + "\n" + log());
    }

    private List<String> command(String... args) {
        List<String> c = new ArrayList<>();
        c.add("env");
        c.add("STRONGSWAN_CONF=" + dir.resolve("strongswan.conf"));
        c.add(SWANCTL);
        c.addAll(List.of(args));
        c.add("--uri");
        c.add("unix://" + dir.resolve("charon.vici"));
        return c;
    }

    /** Runs swanctl against this charon; its output, or an exception with it if it failed. */
    public String swanctl(String... args) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(Commands.DEFAULT_LIMIT, command(args));
        if (!r.ok()) {
            throw new IOException(r.toString());
        }
        return r.output();
    }

    /** {@code swanctl --list-sas}, raw. */
    public String sas() throws IOException, InterruptedException {
        return swanctl("--list-sas");
    }

    public String netns() {
        return netns;
    }

    public boolean running() {
        return charon.isAlive();
    }

    /** What charon logged (its file log) and printed. */
    public String log() {
        StringBuilder sb = new StringBuilder();
        try {
            Path f = dir.resolve("charon.log");
            if (Files.exists(f)) {
                sb.append(Files.readString(f));
            }
            sb.append(lab.toolLog(logName));
        } catch (IOException e) {
            sb.append("(log unreadable: ").append(e).append(")");
        }
        return sb.toString();
    }

    /** Kills charon at once, as a crash would: no DELETE reaches the peer. */
    public void kill() throws InterruptedException {
        charon.descendants().forEach(ProcessHandle::destroyForcibly);
        charon.destroyForcibly();
        charon.waitFor();
    }

    @Override
    public void close() throws IOException {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping charon in " + netns, e);
        }
    }
}

package dev.cipherlane.benchmarks;

import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.Poll;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The same pods and nodes joined by WireGuard instead of Cipherlane: the benchmark's
 * encrypted reference. Pods are plumbed as for {@link KernelRouting}; each node namespace
 * runs wireguard-go, WireGuard's userspace implementation on a TUN interface (this kernel has
 * no WireGuard module), with every other node as a peer at its wire address, and the node's
 * kernel routes the other nodes' pod CIDRs into that interface. Keys are X25519 pairs from
 * the JDK, written as WireGuard's base64 of the 32 little-endian bytes (RFC 7748 section 5).
 *
 * <p>The interface is named after the lab's prefix ({@code <prefix>w<node>}), because
 * wireguard-go's control socket, {@code /var/run/wireguard/<interface>.sock}, is a file
 * shared by every namespace. The daemons are stopped with SIGTERM, so they remove it, when
 * the lab closes.
 */
public final class WireGuardRouting {
    /** WireGuard's customary UDP port. */
    public static final int PORT = 51820;
    private static final Path CONTROL_SOCKETS = Path.of("/var/run/wireguard");
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static final int KEY_BYTES = 32;

    private WireGuardRouting() {}

    /** Plumbs every pod, WireGuard interface and route of {@code lab}, which must not have started its nodes. */
    public static void plumb(Lab lab) throws Exception {
        KernelRouting.plumbPods(lab);
        Map<LabNode, String> publicKeys = new HashMap<>();
        Map<LabNode, Path> privateKeys = new HashMap<>();
        for (LabNode node : lab.nodes()) {
            KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            Path file = node.directory().resolve("wireguard.key");
            writePrivateKey(file, pair);
            privateKeys.put(node, file);
            publicKeys.put(node, base64(littleEndian(((XECPublicKey) pair.getPublic()).getU())));
        }
        for (LabNode node : lab.nodes()) {
            start(lab, node);
        }
        for (LabNode node : lab.nodes()) {
            String ns = node.netns();
            String wg = interfaceName(lab, node);
            Commands.checkIn(ns, "wg", "set", wg, "private-key", privateKeys.get(node).toString(), "listen-port",
                    Integer.toString(PORT));
            for (LabNode other : lab.nodes()) {
                if (other == node) {
                    continue;
                }
                Commands.checkIn(ns, "wg", "set", wg, "peer", publicKeys.get(other), "allowed-ips",
                        AddressPlan.podCidr4(other.number()) + "," + AddressPlan.wireguard(other.number()) + "/32",
                        "endpoint", other.underlay() + ":" + PORT);
            }
            Rtnetlink rtnl = lab.namespace(ns).rtnetlink();
            int index = rtnl.linkIndex(wg);
            rtnl.addressAdd(index, InetAddress.ofLiteral(AddressPlan.wireguard(node.number())),
                    AddressPlan.WIREGUARD_PREFIX_LENGTH);
            rtnl.linkSetUp(index);
            for (LabNode other : lab.nodes()) {
                if (other != node) {
                    rtnl.routeAdd(KernelRouting.onLink(AddressPlan.podCidr4(other.number()), index));
                }
            }
        }
    }

    /** {@code <prefix>w<node>}: at most 11 characters, within Linux's 15. */
    public static String interfaceName(Lab lab, LabNode node) {
        return lab.prefix() + "w" + node.number();
    }

    /** Starts wireguard-go in the foreground in the node's namespace and waits for its control socket. */
    private static void start(Lab lab, LabNode node) throws Exception {
        String wg = interfaceName(lab, node);
        String log = "wireguard-go-" + node.name();
        Path socket = CONTROL_SOCKETS.resolve(wg + ".sock");
        Process daemon = lab.spawn(node.netns(), log, List.of("wireguard-go", "-f", wg));
        lab.closeLater(() -> stop(daemon, socket));
        Poll.until(wg + " serves its control socket in " + node.netns(), START_LIMIT, () -> {
            if (!daemon.isAlive()) {
                throw new IOException("wireguard-go exited " + daemon.exitValue() + ": " + lab.toolLog(log));
            }
            return Files.exists(socket);
        }, () -> "");
    }

    /** SIGTERM, so wireguard-go removes its interface and socket; SIGKILL and our own cleanup if it hangs. */
    private static void stop(Process daemon, Path socket) throws IOException, InterruptedException {
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(socket);
    }

    private static void writePrivateKey(Path file, KeyPair pair) throws IOException, GeneralSecurityException {
        byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar()
                .orElseThrow(() -> new GeneralSecurityException("the X25519 private key has no raw scalar"));
        try {
            Files.writeString(file, "", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(file, base64(scalar) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } finally {
            Arrays.fill(scalar, (byte) 0);
        }
    }

    /** A u-coordinate as RFC 7748 section 5 encodes it: 32 bytes, least significant first. */
    private static byte[] littleEndian(BigInteger u) {
        byte[] big = u.toByteArray();
        byte[] le = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < big.length; i++) {
            le[i] = big[big.length - 1 - i];
        }
        return le;
    }

    private static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}

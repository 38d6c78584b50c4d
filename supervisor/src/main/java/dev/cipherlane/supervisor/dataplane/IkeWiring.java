package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.IkeSettings;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.port.IkePort;
import dev.cipherlane.ipsec.ike.session.ChildSa;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import dev.cipherlane.ipsec.keys.KeyFileException;
import dev.cipherlane.ipsec.keys.PskFile;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import dev.cipherlane.supervisor.peers.IkeTunnel;
import dev.cipherlane.supervisor.peers.TunnelIke;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Where IKE settings become what the sessions take: the PSK read from its file or the
 * environment, and each tunnel's {@link IkeConfig} (its two outer addresses on port 500, the
 * traffic selectors its peer's kind calls for, the lifetimes) and port onto the dataplane.
 */
final class IkeWiring {
    private IkeWiring() {}

    /** The PSK, from ipsec.ike.psk-file or psk-env; never logged. */
    static PreSharedKey psk(IkeSettings ike) throws IOException {
        byte[] key;
        if (ike.pskFile().isPresent()) {
            key = PskFile.load(ike.pskFile().get());
        } else if (ike.pskEnv().isPresent()) {
            String value = System.getenv(ike.pskEnv().get());
            if (value == null) {
                throw new KeyFileException("ipsec.ike.psk-env: the environment has no " + ike.pskEnv().get());
            }
            key = PskFile.check(value.getBytes(StandardCharsets.UTF_8), "ipsec.ike.psk-env " + ike.pskEnv().get());
        } else {
            throw new KeyFileException("ipsec.keys = \"ike\" needs ipsec.ike.psk-file or ipsec.ike.psk-env");
        }
        try {
            return PreSharedKey.of(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Tunnel {@code t}'s session settings: its outer addresses on port 500, the lifetimes, and
     * the selectors {@code peer}'s kind calls for (see {@link PeerSettings.Kind}).
     */
    static IkeConfig config(NodeForwarding.TunnelInfo t, PeerSettings peer, PreSharedKey psk, IkeSettings ike) {
        InetSocketAddress local = new InetSocketAddress(address(t.local()), dev.cipherlane.ipsec.ike.port.IkeInput.IKE_PORT);
        InetSocketAddress remote = new InetSocketAddress(address(t.remote()), dev.cipherlane.ipsec.ike.port.IkeInput.IKE_PORT);
        IkeConfig.Builder b = IkeConfig.builder(local, remote, psk);
        if (peer.kind() == PeerSettings.Kind.GATEWAY) {
            b.selectors(selectors(peer.localCidrs()), selectors(peer.podCidrs()));
        } else {
            b.selectors(List.of(TrafficSelector.range(IpProtocol.IPIP4, local.getAddress(), local.getAddress())),
                    List.of(TrafficSelector.range(IpProtocol.IPIP4, remote.getAddress(), remote.getAddress())));
        }
        DhGroup[] groups = ike.groups().stream().map(IkeWiring::group).toArray(DhGroup[]::new);
        b.liveness(ike.liveness())
                .lifetimes(ike.ikeLifetime(), ike.childLifetime())
                .ikeSuites(ike.proposals().stream().map(IkeWiring::suite).toArray(IkeSuite[]::new))
                .groups(groups)
                .offerEsn(ike.esn());
        if (ike.pfs()) {
            b.childPfs(groups[0]);
        }
        return b.build();
    }

    /** The tunnel's IKE: the larger address initiates; messages leave through its underlay next hop. */
    static TunnelIke tunnelIke(NodeForwarding.TunnelInfo t, IkeConfig config, IkePort port, NodeForwarding forwarding,
            TunnelSecurity security, java.util.Map<String, IkeTunnel.Status> board,
            dev.cipherlane.ipsec.ike.session.CookieJar cookies, java.util.concurrent.atomic.AtomicInteger halfOpen) {
        IkeTunnel.Port wire = new IkeTunnel.Port() {
            @Override
            public void send(byte[] message, boolean floated) {
                int p = floated ? Udp.NAT_TRAVERSAL_PORT : dev.cipherlane.ipsec.ike.port.IkeInput.IKE_PORT;
                port.send(new IkePort.Datagram(t.local(), t.remote(), p, p, message),
                        forwarding.tunnels().underlayAdjacency(t.index()), forwarding.tunnels().txInterface(t.index()));
            }

            @Override
            public void install(ChildSa sa, boolean natFound) {
                security.installNegotiated(forwarding, t, new TunnelSecurity.NegotiatedSa(sa.inboundSpi(),
                        sa.inbound().material(), sa.outboundSpi(), sa.outbound().material(), sa.esn(), natFound));
            }

            @Override
            public void natKeepalive() {
                port.send(IkePort.Datagram.natKeepalive(t.local(), t.remote()),
                        forwarding.tunnels().underlayAdjacency(t.index()), forwarding.tunnels().txInterface(t.index()));
            }

            @Override
            public void stopSending(ChildSa sa) {
                security.removeNegotiated(forwarding, t, 0, sa.outboundSpi());
            }

            @Override
            public void remove(ChildSa sa) {
                security.removeNegotiated(forwarding, t, sa.inboundSpi(), sa.outboundSpi());
            }
        };
        boolean initiator = Integer.compareUnsigned(t.local(), t.remote()) > 0;
        return new TunnelIke() {
            @Override
            public IkeConfig config() {
                return config;
            }

            @Override
            public boolean initiator() {
                return initiator;
            }

            @Override
            public IkeTunnel.Port port() {
                return wire;
            }

            @Override
            public int local() {
                return t.local();
            }

            @Override
            public int remote() {
                return t.remote();
            }

            @Override
            public dev.cipherlane.ipsec.ike.session.CookieJar cookies() {
                return cookies;
            }

            @Override
            public java.util.concurrent.atomic.AtomicInteger halfOpen() {
                return halfOpen;
            }

            @Override
            public void report(IkeTunnel.Status status) {
                board.put(Dataplane.tunnelName(t), status);
            }
        };
    }

    /** The engine's suite for an {@link IkeSettings#PROPOSALS} name. */
    static IkeSuite suite(String name) {
        return switch (name) {
            case "aes256gcm16-prfsha256" -> IkeSuite.AES_GCM_16_256;
            case "aes256-sha256" -> IkeSuite.AES_CBC_256_HMAC_SHA2_256_128;
            default -> throw new IllegalArgumentException("no IKE proposal " + name);
        };
    }

    /** The engine's group for an {@link IkeSettings#GROUPS} name. */
    static DhGroup group(String name) {
        return switch (name) {
            case "x25519" -> DhGroup.CURVE25519;
            case "ecp256" -> DhGroup.ECP_256;
            case "modp2048" -> DhGroup.MODP_2048;
            default -> throw new IllegalArgumentException("no Diffie-Hellman group " + name);
        };
    }

    /** Each prefix as one selector of any protocol and port (RFC 7296 section 3.13.1). */
    static List<TrafficSelector> selectors(List<IpPrefix> prefixes) {
        return prefixes.stream().map(p -> TrafficSelector.range(0, address(p.network()), address(p.last()))).toList();
    }

    private static InetAddress address(IpAddress ip) {
        try {
            return InetAddress.getByAddress(ip.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress address(int ip) {
        return address(IpAddress.ipv4(ip));
    }
}

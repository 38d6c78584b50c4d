package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.IkeSettings;
import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.port.IkePort;
import dev.cipherlane.ipsec.ike.session.ChildSa;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import dev.cipherlane.ipsec.keys.KeyFileException;
import dev.cipherlane.ipsec.keys.PskFile;
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
 * IPIP traffic selectors between them, the lifetimes) and port onto the dataplane.
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

    /** Tunnel {@code t}'s session settings: its outer addresses, IPIP between them. */
    static IkeConfig config(NodeForwarding.TunnelInfo t, PreSharedKey psk, IkeSettings ike) {
        InetSocketAddress local = new InetSocketAddress(address(t.local()), dev.cipherlane.ipsec.ike.port.IkeInput.IKE_PORT);
        InetSocketAddress peer = new InetSocketAddress(address(t.remote()), dev.cipherlane.ipsec.ike.port.IkeInput.IKE_PORT);
        IkeConfig.Builder b = IkeConfig.builder(local, peer, psk)
                .selectors(List.of(TrafficSelector.range(IpProtocol.IPIP4, local.getAddress(), local.getAddress())),
                        List.of(TrafficSelector.range(IpProtocol.IPIP4, peer.getAddress(), peer.getAddress())))
                .liveness(ike.liveness())
                .lifetimes(ike.ikeLifetime(), ike.childLifetime());
        if (ike.pfs()) {
            b.childPfs(DhGroup.CURVE25519);
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
            public void install(ChildSa sa) {
                security.installNegotiated(forwarding, t, new TunnelSecurity.NegotiatedSa(sa.inboundSpi(),
                        sa.inbound().material(), sa.outboundSpi(), sa.outbound().material(), sa.esn()));
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

    private static InetAddress address(int ip) {
        try {
            return InetAddress.getByAddress(dev.cipherlane.net.IpAddress.ipv4(ip).toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.cipherlane.config;

import java.nio.file.Path;
/**
 * Effective settings as a HOCON document laid out like reference.conf. What it prints
 * can be saved and loaded again as a node's config file.
 */
public final class SettingsRenderer {

    private SettingsRenderer() {
    }

    public static String render(NodeSettings settings) {
        DataplaneSettings dataplane = settings.dataplane();
        Document doc = new Document();
        doc.open(NodeSettings.ROOT);
        doc.value("node.name", settings.name());
        doc.value("node.state-dir", settings.stateDir());
        doc.value("admin.socket", settings.admin().socket());
        doc.value("admin.metrics.listen", settings.admin().metricsListen().map(MetricsListen::toString).orElse(""));
        doc.open("dataplane");
        doc.value("workers", dataplane.workers());
        doc.value("buffers.small", dataplane.buffers().small());
        doc.value("buffers.large", dataplane.buffers().large());
        doc.value("ring-size", dataplane.ringSize());
        doc.value("trace.max-packets", dataplane.traceMaxPackets());
        doc.value("idle.spin-polls", dataplane.idleSpinPolls());
        dataplane.faultInjection().stage().ifPresent(stage -> doc.value("fault-injection.stage", stage));
        doc.value("fault-injection.one-in", dataplane.faultInjection().oneIn());
        doc.value("fault-injection.kills-worker", dataplane.faultInjection().killsWorker());
        doc.close();
        doc.open("neighbour");
        doc.value("reachable-time", settings.neighbour().reachableTime());
        doc.value("max-entries", settings.neighbour().maxEntries());
        doc.value("max-per-interface", settings.neighbour().maxPerInterface());
        doc.close();
        PodNetworkSettings network = settings.podNetwork();
        doc.open("pod-network");
        doc.value("gateway-mac", network.gatewayMac());
        doc.value("gateway4", network.gateway4());
        doc.value("gateway6", network.gateway6());
        doc.value("mtu", network.mtu());
        doc.value("queues", network.queues());
        doc.value("interface-name", network.interfaceName());
        doc.close();
        doc.openList("pods");
        for (PodSettings pod : settings.pods()) {
            StringBuilder text = new StringBuilder("{ name = ").append(SettingValues.hocon(pod.name()))
                    .append(", netns = ").append(SettingValues.hocon(pod.netns()))
                    .append(", addresses = ").append(SettingValues.hocon(pod.addresses()));
            pod.mac().ifPresent(mac -> text.append(", mac = ").append(SettingValues.hocon(mac)));
            // Effective values equal to pod-network's were most likely inherited; leaving
            // them out keeps them inherited when the output is edited and loaded again.
            if (pod.queues() != network.queues()) {
                text.append(", queues = ").append(SettingValues.hocon(pod.queues()));
            }
            if (pod.mtu() != network.mtu()) {
                text.append(", mtu = ").append(SettingValues.hocon(pod.mtu()));
            }
            doc.line(text.append(" }").toString());
        }
        doc.closeList();
        UplinkSettings uplink = settings.uplink();
        doc.open("uplink");
        doc.value("interface", uplink.interfaceName().orElse(""));
        doc.value("host-tap", uplink.hostTap());
        doc.value("tunnel-addresses", uplink.tunnelAddresses());
        doc.value("mtu", uplink.mtu());
        doc.value("offloads", uplink.offloads());
        doc.value("driver", uplink.driver().text());
        doc.open("avf");
        doc.value("device", uplink.avf().device());
        doc.value("queues", uplink.avf().queues());
        doc.value("ring-size", uplink.avf().ringSize());
        doc.close();
        doc.close();
        doc.openList("peers");
        for (PeerSettings peer : settings.peers()) {
            doc.line("{ name = " + SettingValues.hocon(peer.name())
                    + ", addresses = " + SettingValues.hocon(peer.addresses())
                    + ", pod-cidrs = " + SettingValues.hocon(peer.podCidrs())
                    + ", tunnels = " + SettingValues.hocon(peer.tunnels())
                    + (peer.kind() == PeerSettings.Kind.GATEWAY ? ", kind = " + SettingValues.hocon(peer.kind().text())
                            + ", local-cidrs = " + SettingValues.hocon(peer.localCidrs()) : "") + " }");
        }
        doc.closeList();
        IpsecSettings ipsec = settings.ipsec();
        doc.open("ipsec");
        doc.value("enabled", ipsec.enabled());
        doc.value("key-dir", ipsec.keyDir());
        doc.value("engine", ipsec.engine());
        doc.value("crypto-threads", ipsec.cryptoThreads());
        doc.value("replay-window", ipsec.replayWindow());
        doc.value("udp-encapsulation", ipsec.udpEncapsulation());
        doc.value("sequence-block", ipsec.sequenceBlock());
        IpsecLifetime lifetime = ipsec.lifetime();
        doc.open("lifetime");
        doc.value("soft-bytes", lifetime.softBytes());
        doc.value("hard-bytes", lifetime.hardBytes());
        doc.value("soft-packets", lifetime.softPackets());
        doc.value("hard-packets", lifetime.hardPackets());
        doc.value("soft-time", lifetime.softTime());
        doc.value("hard-time", lifetime.hardTime());
        doc.close();
        doc.value("keys", ipsec.keys());
        IkeSettings ike = ipsec.ike();
        doc.open("ike");
        doc.value("psk-file", ike.pskFile().map(Path::toString).orElse(""));
        doc.value("psk-env", ike.pskEnv().orElse(""));
        doc.value("ike-lifetime", ike.ikeLifetime());
        doc.value("child-lifetime", ike.childLifetime());
        doc.value("liveness", ike.liveness());
        doc.value("pfs", ike.pfs());
        doc.value("proposals", ike.proposals());
        doc.value("groups", ike.groups());
        doc.value("esn", ike.esn());
        doc.close();
        doc.close();
        doc.close();
        return doc.toString();
    }

    /** Indents by nesting depth; empty lists stay on one line. */
    private static final class Document {
        private final StringBuilder text = new StringBuilder();
        private int depth;

        void open(String key) {
            line(key + " {");
            depth++;
        }

        void close() {
            depth--;
            line("}");
        }

        void openList(String key) {
            line(key + " = [");
            depth++;
        }

        void closeList() {
            depth--;
            if (text.charAt(text.length() - 2) == '[') {
                // Nothing was listed: "key = [\n" becomes "key = []\n".
                text.setLength(text.length() - 1);
                text.append("]\n");
            } else {
                line("]");
            }
        }

        void value(String key, Object value) {
            line(key + " = " + SettingValues.hocon(value));
        }

        void line(String content) {
            text.repeat("  ", depth).append(content).append('\n');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}

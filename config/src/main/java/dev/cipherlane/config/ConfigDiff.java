package dev.cipherlane.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a reload has to do: the settings that differ between the running config and
 * the new one, leaf by leaf. Pods and peers are matched by name, so an edited peer shows up as
 * a change to that peer's addresses rather than as a remove and an add, and everything that
 * did not change can be left running.
 *
 * <p>Pods carry their effective queues and MTU, so a changed pod-network default shows up
 * both as itself and on every pod that takes it: the pods listed are the taps to touch.
 */
public final class ConfigDiff {

    private final List<ConfigChange> changes = new ArrayList<>();

    private ConfigDiff() {
    }

    /** Changes in reference.conf order; within a list, removals first, then the new list's order. */
    public static List<ConfigChange> between(NodeSettings old, NodeSettings neu) {
        ConfigDiff diff = new ConfigDiff();
        String root = NodeSettings.ROOT + ".";
        diff.leaf(root + "node.name", old.name(), neu.name());
        diff.leaf(root + "node.state-dir", old.stateDir(), neu.stateDir());
        diff.leaf(root + "admin.socket", old.admin().socket(), neu.admin().socket());
        diff.leaf(root + "admin.metrics.listen", old.admin().metricsListen(), neu.admin().metricsListen());

        DataplaneSettings a = old.dataplane();
        DataplaneSettings b = neu.dataplane();
        String dataplane = root + "dataplane.";
        diff.leaf(dataplane + "workers", a.workers(), b.workers());
        diff.leaf(dataplane + "buffers.small", a.buffers().small(), b.buffers().small());
        diff.leaf(dataplane + "buffers.large", a.buffers().large(), b.buffers().large());
        diff.leaf(dataplane + "ring-size", a.ringSize(), b.ringSize());
        diff.leaf(dataplane + "trace.max-packets", a.traceMaxPackets(), b.traceMaxPackets());
        diff.leaf(dataplane + "idle.spin-polls", a.idleSpinPolls(), b.idleSpinPolls());
        diff.leaf(dataplane + "fault-injection.stage", a.faultInjection().stage(), b.faultInjection().stage());
        diff.leaf(dataplane + "fault-injection.one-in", a.faultInjection().oneIn(), b.faultInjection().oneIn());
        diff.leaf(dataplane + "fault-injection.kills-worker", a.faultInjection().killsWorker(),
                b.faultInjection().killsWorker());

        String neighbour = root + "neighbour.";
        diff.leaf(neighbour + "reachable-time", old.neighbour().reachableTime(), neu.neighbour().reachableTime());
        diff.leaf(neighbour + "max-entries", old.neighbour().maxEntries(), neu.neighbour().maxEntries());
        diff.leaf(neighbour + "max-per-interface", old.neighbour().maxPerInterface(),
                neu.neighbour().maxPerInterface());

        PodNetworkSettings c = old.podNetwork();
        PodNetworkSettings d = neu.podNetwork();
        String podNetwork = root + "pod-network.";
        diff.leaf(podNetwork + "gateway-mac", c.gatewayMac(), d.gatewayMac());
        diff.leaf(podNetwork + "gateway4", c.gateway4(), d.gateway4());
        diff.leaf(podNetwork + "gateway6", c.gateway6(), d.gateway6());
        diff.leaf(podNetwork + "mtu", c.mtu(), d.mtu());
        diff.leaf(podNetwork + "queues", c.queues(), d.queues());
        diff.leaf(podNetwork + "interface-name", c.interfaceName(), d.interfaceName());

        diff.keyed(root + "pods", old.pods(), neu.pods(), PodSettings::name,
                (path, x, y) -> {
                    diff.leaf(path + ".netns", x.netns(), y.netns());
                    diff.leaf(path + ".addresses", x.addresses(), y.addresses());
                    diff.leaf(path + ".mac", x.mac(), y.mac());
                    diff.leaf(path + ".queues", x.queues(), y.queues());
                    diff.leaf(path + ".mtu", x.mtu(), y.mtu());
                });

        UplinkSettings e = old.uplink();
        UplinkSettings f = neu.uplink();
        String uplink = root + "uplink.";
        diff.leaf(uplink + "interface", e.interfaceName(), f.interfaceName());
        diff.leaf(uplink + "host-tap", e.hostTap(), f.hostTap());
        diff.leaf(uplink + "tunnel-addresses", e.tunnelAddresses(), f.tunnelAddresses());
        diff.leaf(uplink + "mtu", e.mtu(), f.mtu());
        diff.leaf(uplink + "offloads", e.offloads(), f.offloads());
        diff.leaf(uplink + "driver", e.driver(), f.driver());
        diff.leaf(uplink + "avf.device", e.avf().device(), f.avf().device());
        diff.leaf(uplink + "avf.queues", e.avf().queues(), f.avf().queues());
        diff.leaf(uplink + "avf.ring-size", e.avf().ringSize(), f.avf().ringSize());

        diff.keyed(root + "peers", old.peers(), neu.peers(), PeerSettings::name,
                (path, x, y) -> {
                    diff.leaf(path + ".addresses", x.addresses(), y.addresses());
                    diff.leaf(path + ".pod-cidrs", x.podCidrs(), y.podCidrs());
                    diff.leaf(path + ".tunnels", x.tunnels(), y.tunnels());
                    diff.leaf(path + ".kind", x.kind().text(), y.kind().text());
                    diff.leaf(path + ".local-cidrs", x.localCidrs(), y.localCidrs());
                });

        IpsecSettings g = old.ipsec();
        IpsecSettings h = neu.ipsec();
        String ipsec = root + "ipsec.";
        diff.leaf(ipsec + "enabled", g.enabled(), h.enabled());
        diff.leaf(ipsec + "key-dir", g.keyDir(), h.keyDir());
        diff.leaf(ipsec + "engine", g.engine(), h.engine());
        diff.leaf(ipsec + "crypto-threads", g.cryptoThreads(), h.cryptoThreads());
        diff.leaf(ipsec + "replay-window", g.replayWindow(), h.replayWindow());
        diff.leaf(ipsec + "udp-encapsulation", g.udpEncapsulation(), h.udpEncapsulation());
        diff.leaf(ipsec + "sequence-block", g.sequenceBlock(), h.sequenceBlock());
        IpsecLifetime i = g.lifetime();
        IpsecLifetime j = h.lifetime();
        String lifetime = ipsec + "lifetime.";
        diff.leaf(lifetime + "soft-bytes", i.softBytes(), j.softBytes());
        diff.leaf(lifetime + "hard-bytes", i.hardBytes(), j.hardBytes());
        diff.leaf(lifetime + "soft-packets", i.softPackets(), j.softPackets());
        diff.leaf(lifetime + "hard-packets", i.hardPackets(), j.hardPackets());
        diff.leaf(lifetime + "soft-time", i.softTime(), j.softTime());
        diff.leaf(lifetime + "hard-time", i.hardTime(), j.hardTime());
        diff.leaf(ipsec + "keys", g.keys(), h.keys());
        IkeSettings k = g.ike();
        IkeSettings l = h.ike();
        String ike = ipsec + "ike.";
        diff.leaf(ike + "psk-file", k.pskFile(), l.pskFile());
        diff.leaf(ike + "psk-env", k.pskEnv(), l.pskEnv());
        diff.leaf(ike + "ike-lifetime", k.ikeLifetime(), l.ikeLifetime());
        diff.leaf(ike + "child-lifetime", k.childLifetime(), l.childLifetime());
        diff.leaf(ike + "liveness", k.liveness(), l.liveness());
        diff.leaf(ike + "pfs", k.pfs(), l.pfs());
        diff.leaf(ike + "proposals", k.proposals(), l.proposals());
        diff.leaf(ike + "groups", k.groups(), l.groups());
        diff.leaf(ike + "esn", k.esn(), l.esn());
        return List.copyOf(diff.changes);
    }

    private void leaf(String path, Object oldValue, Object newValue) {
        if (!Objects.equals(oldValue, newValue)) {
            changes.add(ConfigChange.changed(path, oldValue, newValue));
        }
    }

    /** Compares the fields of two elements that share a key. */
    @FunctionalInterface
    private interface ElementDiff<T> {
        void compare(String path, T oldElement, T newElement);
    }

    private <T> void keyed(String path, List<T> old, List<T> neu, Function<T, String> key, ElementDiff<T> fields) {
        Map<String, T> before = index(old, key);
        Map<String, T> after = index(neu, key);
        before.forEach((k, element) -> {
            if (!after.containsKey(k)) {
                changes.add(ConfigChange.removed(path + "[" + k + "]", element));
            }
        });
        after.forEach((k, element) -> {
            T previous = before.get(k);
            if (previous == null) {
                changes.add(ConfigChange.added(path + "[" + k + "]", element));
            } else {
                fields.compare(path + "[" + k + "]", previous, element);
            }
        });
    }

    private static <T> Map<String, T> index(List<T> elements, Function<T, String> key) {
        Map<String, T> byKey = new LinkedHashMap<>();
        elements.forEach(element -> byKey.put(key.apply(element), element));
        return byKey;
    }
}

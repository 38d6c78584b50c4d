package dev.cipherlane.host.pod;

import dev.cipherlane.linux.files.Record;
import dev.cipherlane.linux.files.RecordFileException;
import dev.cipherlane.linux.files.RecordFormat;
import dev.cipherlane.net.IpAddressText;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node state file's text, a {@link RecordFormat} with one {@code pod} record a pod:
 *
 * <pre>
 * # comment lines and blank lines are ignored
 * cipherlane-node-state 1
 * pod pod-a netns=pod-a interface=eth0 ip4=10.0.0.10 ip6=fd00::10 mac=02:12:34:56:78:9a mtu=1400 queues=1 gateway-mac=02:fe:00:00:00:01 gateway4=169.254.1.1 gateway6=fe80::1
 * end 1
 * </pre>
 *
 * The end line counts the pods: a file cut short is refused rather than taken for a node
 * with fewer pods, whose taps would then be forgotten. Beyond the format's own checks, a
 * value {@link PodSpec} refuses, or a pod named twice, stops the reader with the line number.
 */
final class NodeStateFormat {
    private NodeStateFormat() {}

    private static final String POD = "pod";
    private static final String NETNS = "netns";
    private static final String INTERFACE = "interface";
    private static final String IP4 = "ip4";
    private static final String IP6 = "ip6";
    private static final String MAC = "mac";
    private static final String MTU = "mtu";
    private static final String QUEUES = "queues";
    private static final String GATEWAY_MAC = "gateway-mac";
    private static final String GATEWAY4 = "gateway4";
    private static final String GATEWAY6 = "gateway6";

    static final RecordFormat FORMAT = RecordFormat.of("cipherlane-node-state", 1, "a node state file", "pod",
            RecordFormat.Kind.repeated(POD, "<name>",
                    List.of(NETNS, INTERFACE, MAC, MTU, QUEUES, GATEWAY_MAC, GATEWAY4, GATEWAY6), List.of(IP4, IP6)));

    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6_TEXT = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

    static byte[] encode(NodeState state) {
        RecordFormat.Writer w = FORMAT.writer("Cipherlane node state: the pods whose persistent taps this node made.",
                "Written by the node service and replaced whole; do not edit while it runs.");
        for (PodSpec p : state.pods()) {
            w.record(POD, p.name()).field(NETNS, p.netns()).field(INTERFACE, p.interfaceName());
            p.ip4().ifPresent(a -> w.field(IP4, a.getHostAddress()));
            p.ip6().ifPresent(a -> w.field(IP6, ipv6Text(a)));
            w.field(MAC, p.mac()).field(MTU, p.mtu()).field(QUEUES, p.queues()).field(GATEWAY_MAC, p.gatewayMac())
                    .field(GATEWAY4, p.gateway4().getHostAddress()).field(GATEWAY6, ipv6Text(p.gateway6()));
        }
        return w.toBytes();
    }

    static NodeState decode(Path file, byte[] content) throws NodeStateException {
        try {
            List<PodSpec> pods = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Set<String> taps = new HashSet<>();
            for (Record r : FORMAT.read(file, content)) {
                PodSpec pod = pod(r);
                if (!names.add(pod.name())) {
                    throw new RecordFileException(file, r.line(), "pod " + pod.name() + " appears twice");
                }
                if (!taps.add(NodeState.tapKey(pod))) {
                    throw r.refuse("another pod has " + pod.interfaceName() + " in " + pod.namespacePath());
                }
                pods.add(pod);
            }
            return new NodeState(pods);
        } catch (RecordFileException e) {
            throw new NodeStateException(e.file(), e.line(), e.problem());
        }
    }

    private static PodSpec pod(Record r) throws RecordFileException {
        try {
            return new PodSpec(r.subject(), r.get(NETNS),
                    r.find(IP4).map(text -> ip4(IP4, text)), r.find(IP6).map(text -> ip6(IP6, text)),
                    r.mac(MAC), r.decimal(MTU), r.decimal(QUEUES), r.get(INTERFACE), r.mac(GATEWAY_MAC),
                    ip4(GATEWAY4, r.get(GATEWAY4)), ip6(GATEWAY6, r.get(GATEWAY6)));
        } catch (IllegalArgumentException e) {
            // PodSpec's own refusals already name the pod.
            String prefix = r.where() + ": ";
            String message = e.getMessage();
            throw r.refuse(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
        }
    }

    private static Inet4Address ip4(String key, String text) {
        if (DOTTED_QUAD.matcher(text).matches() && literal(text) instanceof Inet4Address a) {
            return a;
        }
        throw new IllegalArgumentException(key + " \"" + text + "\" is not a dotted-quad IPv4 address");
    }

    private static Inet6Address ip6(String key, String text) {
        // IPV6_TEXT keeps out scope ids and names; ofLiteral turns ::ffff:a.b.c.d into IPv4.
        if (IPV6_TEXT.matcher(text).matches() && literal(text) instanceof Inet6Address a) {
            return a;
        }
        throw new IllegalArgumentException(key + " \"" + text + "\" is not an IPv6 address");
    }

    /** The address {@code text} spells, or null; never a DNS lookup. */
    private static InetAddress literal(String text) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** RFC 5952 text, as the config and {@code show} print addresses. */
    static String ipv6Text(Inet6Address address) {
        ByteBuffer b = ByteBuffer.wrap(address.getAddress());
        return IpAddressText.formatIpv6(b.getLong(), b.getLong());
    }
}

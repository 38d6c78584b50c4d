package dev.cipherlane.host.pod;

import dev.cipherlane.net.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node state file's text, one record a line, written and read only by us:
 *
 * <pre>
 * # comment lines and blank lines are ignored
 * cipherlane-node-state 1
 * pod pod-a netns=pod-a interface=eth0 ip4=10.0.0.10 ip6=fd00::10 mac=02:12:34:56:78:9a mtu=1400 queues=1 gateway-mac=02:fe:00:00:00:01 gateway4=169.254.1.1 gateway6=fe80::1
 * end 1
 * </pre>
 *
 * The first line names the format and its version, so a newer service can tell an older
 * file apart. The last line counts the records: a file cut short by a disk fault lacks it,
 * and is refused rather than taken for a node with fewer pods, whose taps would then be
 * forgotten. The reader is strict: an unknown word, a missing or repeated field, or a
 * value {@link PodSpec} refuses stops it with the line number.
 */
final class NodeStateFormat {
    private NodeStateFormat() {}

    static final String MAGIC = "cipherlane-node-state";
    static final int VERSION = 1;
    private static final String POD = "pod";
    private static final String END = "end";

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
    private static final List<String> REQUIRED = List.of(NETNS, INTERFACE, MAC, MTU, QUEUES, GATEWAY_MAC, GATEWAY4,
            GATEWAY6);
    private static final List<String> OPTIONAL = List.of(IP4, IP6);

    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6_TEXT = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");
    private static final Pattern MAC_TEXT = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,8}");

    static byte[] encode(NodeState state) {
        StringBuilder s = new StringBuilder();
        s.append("# Cipherlane node state: the pods whose persistent taps this node made.\n");
        s.append("# Written by the node service and replaced whole; do not edit while it runs.\n");
        s.append(MAGIC).append(' ').append(VERSION).append('\n');
        for (PodSpec p : state.pods()) {
            s.append(POD).append(' ').append(p.name());
            field(s, NETNS, p.netns());
            field(s, INTERFACE, p.interfaceName());
            p.ip4().ifPresent(a -> field(s, IP4, a.getHostAddress()));
            p.ip6().ifPresent(a -> field(s, IP6, ipv6Text(a)));
            field(s, MAC, p.mac().toString());
            field(s, MTU, Integer.toString(p.mtu()));
            field(s, QUEUES, Integer.toString(p.queues()));
            field(s, GATEWAY_MAC, p.gatewayMac().toString());
            field(s, GATEWAY4, p.gateway4().getHostAddress());
            field(s, GATEWAY6, ipv6Text(p.gateway6()));
            s.append('\n');
        }
        s.append(END).append(' ').append(state.pods().size()).append('\n');
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder s, String key, String value) {
        s.append(' ').append(key).append('=').append(value);
    }

    static NodeState decode(Path file, byte[] content) throws NodeStateException {
        List<PodSpec> pods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> taps = new HashSet<>();
        boolean header = false;
        boolean ended = false;
        int lineNumber = 0;
        int start = 0;
        while (start < content.length) {
            int end = indexOf(content, (byte) '\n', start);
            lineNumber++;
            if (end == content.length) {
                // Our writer ends every line; a file cut short by a disk fault may not.
                throw new NodeStateException(file, lineNumber, "ends in the middle of this line: the file is truncated");
            }
            String line = utf8(file, lineNumber, content, start, end);
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split(" ", -1);
            if (ended) {
                throw new NodeStateException(file, lineNumber, "text after the \"" + END + "\" line");
            }
            if (!header) {
                if (words.length != 2 || !words[0].equals(MAGIC)) {
                    throw new NodeStateException(file, lineNumber, "not a node state file: expected \"" + MAGIC
                            + " " + VERSION + "\" first");
                }
                if (!words[1].equals(Integer.toString(VERSION))) {
                    throw new NodeStateException(file, lineNumber, "version " + words[1]
                            + " is not one this service reads (" + VERSION + ")");
                }
                header = true;
                continue;
            }
            switch (words[0]) {
                case POD -> {
                    PodSpec pod = pod(file, lineNumber, words);
                    if (!names.add(pod.name())) {
                        throw new NodeStateException(file, lineNumber, "pod " + pod.name() + " appears twice");
                    }
                    if (!taps.add(NodeState.tapKey(pod))) {
                        throw new NodeStateException(file, lineNumber, "pod " + pod.name() + ": another pod has "
                                + pod.interfaceName() + " in " + pod.namespacePath());
                    }
                    pods.add(pod);
                }
                case END -> {
                    if (words.length != 2 || !COUNT.matcher(words[1]).matches()) {
                        throw new NodeStateException(file, lineNumber, "expected \"" + END + " <pod count>\"");
                    }
                    if (Integer.parseInt(words[1]) != pods.size()) {
                        throw new NodeStateException(file, lineNumber, "says " + words[1] + " pods, "
                                + pods.size() + " precede it");
                    }
                    ended = true;
                }
                default -> throw new NodeStateException(file, lineNumber, "unknown record \"" + words[0]
                        + "\", expected \"" + POD + "\" or \"" + END + "\"");
            }
        }
        if (!header) {
            throw new NodeStateException(file, 0, "empty: no \"" + MAGIC + "\" line");
        }
        if (!ended) {
            throw new NodeStateException(file, lineNumber, "ends without its \"" + END
                    + " <pod count>\" line: the file is truncated");
        }
        return new NodeState(pods);
    }

    private static PodSpec pod(Path file, int line, String[] words) throws NodeStateException {
        if (words.length < 2 || words[1].isEmpty() || words[1].contains("=")) {
            throw new NodeStateException(file, line, "expected \"" + POD + " <name> key=value...\"");
        }
        String name = words[1];
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 2; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new NodeStateException(file, line, "pod " + name + ": \"" + word + "\" is not key=value");
            }
            String key = word.substring(0, eq);
            if (!REQUIRED.contains(key) && !OPTIONAL.contains(key)) {
                throw new NodeStateException(file, line, "pod " + name + ": unknown field \"" + key + "\"");
            }
            if (fields.put(key, word.substring(eq + 1)) != null) {
                throw new NodeStateException(file, line, "pod " + name + ": field \"" + key + "\" given twice");
            }
        }
        for (String key : REQUIRED) {
            if (!fields.containsKey(key)) {
                throw new NodeStateException(file, line, "pod " + name + ": field \"" + key + "\" is missing");
            }
        }
        try {
            return new PodSpec(name, fields.get(NETNS),
                    fields.containsKey(IP4) ? Optional.of(ip4(IP4, fields.get(IP4))) : Optional.empty(),
                    fields.containsKey(IP6) ? Optional.of(ip6(IP6, fields.get(IP6))) : Optional.empty(),
                    mac(MAC, fields.get(MAC)), count(MTU, fields.get(MTU)), count(QUEUES, fields.get(QUEUES)),
                    fields.get(INTERFACE), mac(GATEWAY_MAC, fields.get(GATEWAY_MAC)),
                    ip4(GATEWAY4, fields.get(GATEWAY4)), ip6(GATEWAY6, fields.get(GATEWAY6)));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().startsWith("pod ") ? e.getMessage() : "pod " + name + ": " + e.getMessage();
            throw new NodeStateException(file, line, message);
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

    private static MacAddress mac(String key, String text) {
        if (!MAC_TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException(key + " \"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        return MacAddress.parse(text);
    }

    private static int count(String key, String text) {
        if (!COUNT.matcher(text).matches()) {
            throw new IllegalArgumentException(key + " \"" + text + "\" is not a number");
        }
        return Integer.parseInt(text);
    }

    /** RFC 5952 text: lowercase, the longest run of two or more zero groups as "::". */
    static String ipv6Text(Inet6Address address) {
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j > i ? j : i + 1;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return b.length;
    }

    private static String utf8(Path file, int line, byte[] b, int from, int to) throws NodeStateException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new NodeStateException(file, line, "not UTF-8 text");
        }
    }
}

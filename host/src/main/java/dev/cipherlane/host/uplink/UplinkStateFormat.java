package dev.cipherlane.host.uplink;

import dev.cipherlane.net.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The uplink state file's text, one record a line, written and read only by us:
 *
 * <pre>
 * cipherlane-uplink-state 1
 * uplink eth0 host-tap=clhost0 mac=02:12:34:56:78:9a mtu=1500
 * address 10.252.0.1/24 flags=0
 * route 0.0.0.0/0 via=10.252.0.254 table=254 scope=0 flags=0 protocol=3 type=1 metric=0
 * end 2
 * </pre>
 *
 * The first line names format and version; the {@code end} line counts the address and
 * route records, so a file cut short is refused rather than read as an uplink with fewer
 * addresses (which the restore would then silently lose). The reader is strict: anything
 * unexpected stops it with the line number. Lines starting with # and blank ones are
 * ignored.
 */
final class UplinkStateFormat {
    private UplinkStateFormat() {}

    static final String MAGIC = "cipherlane-uplink-state";
    static final int VERSION = 1;

    private static final Pattern ADDRESS_TEXT = Pattern.compile("[0-9a-fA-F:.]+");
    private static final Pattern MAC_TEXT = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Set<String> UPLINK_KEYS = Set.of("host-tap", "mac", "mtu");
    private static final Set<String> ADDRESS_KEYS = Set.of("flags");
    private static final Set<String> ROUTE_KEYS = Set.of("table", "scope", "flags", "protocol", "type", "metric");

    static byte[] encode(UplinkState state) {
        StringBuilder s = new StringBuilder();
        s.append("# Cipherlane uplink takeover: what to give back to ").append(state.uplink()).append(".\n");
        s.append("# Written before the takeover, deleted once restored; do not edit.\n");
        s.append(MAGIC).append(' ').append(VERSION).append('\n');
        s.append("uplink ").append(state.uplink()).append(" host-tap=").append(state.hostTap()).append(" mac=")
                .append(state.mac()).append(" mtu=").append(state.mtu()).append('\n');
        for (UplinkAddress a : state.addresses()) {
            s.append("address ").append(a).append(" flags=").append(a.flags()).append('\n');
        }
        for (SavedRoute r : state.routes()) {
            s.append("route ").append(r.destination().getHostAddress()).append('/').append(r.prefixLength());
            if (r.gateway() != null) {
                s.append(" via=").append(r.gateway().getHostAddress());
            }
            s.append(" table=").append(r.table()).append(" scope=").append(r.scope()).append(" flags=")
                    .append(r.flags()).append(" protocol=").append(r.protocol()).append(" type=").append(r.type())
                    .append(" metric=").append(Integer.toUnsignedString(r.priority())).append('\n');
        }
        s.append("end ").append(state.addresses().size() + state.routes().size()).append('\n');
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    static UplinkState decode(Path file, byte[] content) throws UplinkStateException {
        String text = utf8(file, content);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            // Our writer ends every line; a file cut short may not.
            throw new UplinkStateException(file, (int) text.chars().filter(c -> c == '\n').count() + 1,
                    "ends in the middle of this line: the file is truncated");
        }
        String[] lines = text.split("\n", -1);
        boolean header = false;
        boolean ended = false;
        String uplink = null;
        String hostTap = null;
        MacAddress mac = null;
        int mtu = 0;
        List<UplinkAddress> addresses = new ArrayList<>();
        List<SavedRoute> routes = new ArrayList<>();
        int lineNumber = 0;
        for (int i = 0; i < lines.length - 1; i++) {
            lineNumber = i + 1;
            String line = lines[i];
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (ended) {
                throw new UplinkStateException(file, lineNumber, "text after the \"end\" line");
            }
            String[] words = line.split(" ", -1);
            try {
                if (!header) {
                    if (words.length != 2 || !words[0].equals(MAGIC)) {
                        throw new IllegalArgumentException("not an uplink state file: expected \"" + MAGIC + " "
                                + VERSION + "\" first");
                    }
                    if (!words[1].equals(Integer.toString(VERSION))) {
                        throw new IllegalArgumentException("version " + words[1] + " is not one this service reads ("
                                + VERSION + ")");
                    }
                    header = true;
                    continue;
                }
                if (uplink == null && !words[0].equals("uplink")) {
                    throw new IllegalArgumentException("expected the \"uplink\" record second");
                }
                switch (words[0]) {
                    case "uplink" -> {
                        if (uplink != null) {
                            throw new IllegalArgumentException("a second \"uplink\" record");
                        }
                        Map<String, String> f = fields(words, UPLINK_KEYS, UPLINK_KEYS);
                        uplink = name("uplink", words);
                        hostTap = f.get("host-tap");
                        checkName("host-tap", hostTap);
                        if (!MAC_TEXT.matcher(f.get("mac")).matches()) {
                            throw new IllegalArgumentException("mac \"" + f.get("mac") + "\" is not aa:bb:cc:dd:ee:ff");
                        }
                        mac = MacAddress.parse(f.get("mac"));
                        mtu = number("mtu", f.get("mtu"));
                    }
                    case "address" -> {
                        Map<String, String> f = fields(words, ADDRESS_KEYS, ADDRESS_KEYS);
                        String[] prefix = prefix(words);
                        addresses.add(new UplinkAddress(address(prefix[0]), number("prefix length", prefix[1]),
                                number("flags", f.get("flags"))));
                    }
                    case "route" -> {
                        Map<String, String> f = fields(words, ROUTE_KEYS, Set.of("via"));
                        String[] prefix = prefix(words);
                        InetAddress via = f.containsKey("via") ? address(f.get("via")) : null;
                        routes.add(new SavedRoute(address(prefix[0]), number("prefix length", prefix[1]), via,
                                number("table", f.get("table")), number("scope", f.get("scope")),
                                number("flags", f.get("flags")), number("protocol", f.get("protocol")),
                                number("type", f.get("type")), (int) Long.parseLong(metric(f.get("metric")))));
                        // The Route constructor checks ranges and families now, not at restore time.
                        routes.getLast().on(0);
                    }
                    case "end" -> {
                        if (words.length != 2) {
                            throw new IllegalArgumentException("expected \"end <record count>\"");
                        }
                        int count = number("record count", words[1]);
                        if (count != addresses.size() + routes.size()) {
                            throw new IllegalArgumentException("says " + count + " records, "
                                    + (addresses.size() + routes.size()) + " precede it");
                        }
                        ended = true;
                    }
                    default -> throw new IllegalArgumentException("unknown record \"" + words[0] + "\"");
                }
            } catch (IllegalArgumentException e) {
                throw new UplinkStateException(file, lineNumber, e.getMessage());
            }
        }
        if (!header) {
            throw new UplinkStateException(file, 0, "empty: no \"" + MAGIC + "\" line");
        }
        if (!ended) {
            throw new UplinkStateException(file, lineNumber, "ends without its \"end <record count>\" line: "
                    + "the file is truncated");
        }
        try {
            return new UplinkState(uplink, hostTap, mac, mtu, addresses, routes);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UplinkStateException(file, 0, "inconsistent: " + e.getMessage());
        }
    }

    /** key=value words after the record's second word; {@code required} must all be there. */
    private static Map<String, String> fields(String[] words, Set<String> required, Set<String> optional) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 2; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(words[0] + ": \"" + words[i] + "\" is not key=value");
            }
            String key = words[i].substring(0, eq);
            if (!required.contains(key) && !optional.contains(key)) {
                throw new IllegalArgumentException(words[0] + ": unknown field \"" + key + "\"");
            }
            if (f.put(key, words[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException(words[0] + ": field \"" + key + "\" given twice");
            }
        }
        for (String key : required) {
            if (!f.containsKey(key)) {
                throw new IllegalArgumentException(words[0] + ": field \"" + key + "\" is missing");
            }
        }
        return f;
    }

    private static String name(String what, String[] words) {
        if (words.length < 2) {
            throw new IllegalArgumentException("expected \"" + what + " <name> key=value...\"");
        }
        checkName(what, words[1]);
        return words[1];
    }

    private static void checkName(String what, String name) {
        if (name.isEmpty() || name.length() > 15 || name.contains("=") || name.contains("/")) {
            throw new IllegalArgumentException(what + " \"" + name + "\" is not an interface name");
        }
    }

    private static String[] prefix(String[] words) {
        String[] parts = words.length < 2 ? new String[0] : words[1].split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected \"" + words[0] + " <address>/<prefix length> key=value...\"");
        }
        return parts;
    }

    /** An address literal; never a DNS look-up, and no scope ids. */
    private static InetAddress address(String text) {
        InetAddress a = ADDRESS_TEXT.matcher(text).matches() ? literal(text) : null;
        if (a == null || (!(a instanceof Inet4Address) && !text.contains(":"))) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
        }
        return a;
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int number(String what, String text) {
        if (!NUMBER.matcher(text).matches() || Long.parseLong(text) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not a number");
        }
        return Integer.parseInt(text);
    }

    /** A route metric is a u32. */
    private static String metric(String text) {
        if (!NUMBER.matcher(text).matches() || Long.parseLong(text) > 0xffff_ffffL) {
            throw new IllegalArgumentException("metric \"" + text + "\" is not a number");
        }
        return text;
    }

    private static String utf8(Path file, byte[] content) throws UplinkStateException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new UplinkStateException(file, 0, "not UTF-8 text");
        }
    }
}

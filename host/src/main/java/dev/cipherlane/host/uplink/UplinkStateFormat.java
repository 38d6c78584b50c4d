package dev.cipherlane.host.uplink;

import dev.cipherlane.linux.files.Record;
import dev.cipherlane.linux.files.RecordFileException;
import dev.cipherlane.linux.files.RecordFormat;
import dev.cipherlane.net.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The uplink state file's text, a {@link RecordFormat}: the uplink record first, then one
 * record per address and route:
 *
 * <pre>
 * cipherlane-uplink-state 1
 * uplink eth0 host-tap=clhost0 mac=02:12:34:56:78:9a mtu=1500
 * address 10.252.0.1/24 flags=0
 * route 0.0.0.0/0 via=10.252.0.254 table=254 scope=0 flags=0 protocol=3 type=1 metric=0
 * end 2
 * </pre>
 *
 * The {@code end} line counts the address and route records, so a file cut short is
 * refused rather than read as an uplink with fewer addresses (which the restore would then
 * silently lose). Beyond the format's own checks, a value the kernel would refuse stops
 * the reader with the line number.
 */
final class UplinkStateFormat {
    private UplinkStateFormat() {}

    private static final String UPLINK = "uplink";
    private static final String ADDRESS = "address";
    private static final String ROUTE = "route";
    private static final String PREFIX = "<address>/<prefix length>";

    static final RecordFormat FORMAT = RecordFormat.of("cipherlane-uplink-state", 1, "an uplink state file", "record",
            RecordFormat.Kind.single(UPLINK, "<name>", List.of("host-tap", "mac", "mtu"), List.of()),
            RecordFormat.Kind.repeated(ADDRESS, PREFIX, List.of("flags"), List.of()),
            RecordFormat.Kind.repeated(ROUTE, PREFIX, List.of("table", "scope", "flags", "protocol", "type", "metric"),
                    List.of("via")));

    private static final Pattern ADDRESS_TEXT = Pattern.compile("[0-9a-fA-F:.]+");

    static byte[] encode(UplinkState state) {
        RecordFormat.Writer w = FORMAT.writer("Cipherlane uplink takeover: what to give back to " + state.uplink() + ".",
                "Written before the takeover, deleted once restored; do not edit.");
        w.record(UPLINK, state.uplink()).field("host-tap", state.hostTap()).field("mac", state.mac())
                .field("mtu", state.mtu());
        for (UplinkAddress a : state.addresses()) {
            w.record(ADDRESS, a.toString()).field("flags", a.flags());
        }
        for (SavedRoute r : state.routes()) {
            w.record(ROUTE, r.destination().getHostAddress() + "/" + r.prefixLength());
            if (r.gateway() != null) {
                w.field("via", r.gateway().getHostAddress());
            }
            w.field("table", r.table()).field("scope", r.scope()).field("flags", r.flags())
                    .field("protocol", r.protocol()).field("type", r.type())
                    .field("metric", Integer.toUnsignedString(r.priority()));
        }
        return w.toBytes();
    }

    static UplinkState decode(Path file, byte[] content) throws UplinkStateException {
        try {
            String uplink = null;
            String hostTap = null;
            MacAddress mac = null;
            int mtu = 0;
            List<UplinkAddress> addresses = new ArrayList<>();
            List<SavedRoute> routes = new ArrayList<>();
            for (Record r : FORMAT.read(file, content)) {
                try {
                    switch (r.kind()) {
                        case UPLINK -> {
                            uplink = interfaceName(r, "uplink", r.subject());
                            hostTap = interfaceName(r, "host-tap", r.get("host-tap"));
                            mac = r.mac("mac");
                            mtu = r.decimal("mtu");
                        }
                        case ADDRESS -> {
                            String[] prefix = prefix(r);
                            addresses.add(new UplinkAddress(address(r, prefix[0]), prefixLength(r, prefix[1]),
                                    r.decimal("flags")));
                        }
                        case ROUTE -> {
                            String[] prefix = prefix(r);
                            InetAddress via = r.find("via").isPresent() ? address(r, r.get("via")) : null;
                            routes.add(new SavedRoute(address(r, prefix[0]), prefixLength(r, prefix[1]), via,
                                    r.decimal("table"), r.decimal("scope"), r.decimal("flags"), r.decimal("protocol"),
                                    r.decimal("type"), (int) r.unsigned32("metric")));
                            // The Route constructor checks ranges and families now, not at restore time.
                            routes.getLast().on(0);
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw r.refuse(e.getMessage());
                }
            }
            try {
                return new UplinkState(uplink, hostTap, mac, mtu, addresses, routes);
            } catch (IllegalArgumentException e) {
                throw new RecordFileException(file, 0, "inconsistent: " + e.getMessage());
            }
        } catch (RecordFileException e) {
            throw new UplinkStateException(e.file(), e.line(), e.problem());
        }
    }

    private static String interfaceName(Record r, String what, String name) throws RecordFileException {
        if (name.isEmpty() || name.length() > 15 || name.contains("=") || name.contains("/")) {
            throw r.refuse(what + " \"" + name + "\" is not an interface name");
        }
        return name;
    }

    private static String[] prefix(Record r) throws RecordFileException {
        String[] parts = r.subject().split("/", -1);
        if (parts.length != 2) {
            throw r.refuse("\"" + r.subject() + "\" is not " + PREFIX);
        }
        return parts;
    }

    private static int prefixLength(Record r, String text) throws RecordFileException {
        if (!text.matches("0|[1-9][0-9]{0,2}")) {
            throw r.refuse("prefix length \"" + text + "\" is not a number");
        }
        return Integer.parseInt(text);
    }

    /** An address literal; never a DNS look-up, and no scope ids. */
    private static InetAddress address(Record r, String text) throws RecordFileException {
        InetAddress a = ADDRESS_TEXT.matcher(text).matches() ? literal(text) : null;
        if (a == null || (!(a instanceof Inet4Address) && !text.contains(":"))) {
            throw r.refuse("\"" + text + "\" is not an IP address");
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
}

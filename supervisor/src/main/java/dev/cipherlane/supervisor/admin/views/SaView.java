package dev.cipherlane.supervisor.admin.views;

import java.util.List;

/**
 * {@code show sa}: the crypto engine and the SAs protecting the tunnels, with their counters.
 * Keys never appear here.
 *
 * @param ipsec  whether ipsec.enabled; without it there are no SAs and no engine
 * @param engine the AES-GCM engine ipsec.engine resolved to, null with ipsec off
 */
public record SaView(boolean ipsec, String engine, List<SaRow> sas) implements OperatorView {

    public static final String IN = "in";
    public static final String OUT = "out";

    /**
     * @param direction     {@link #IN} or {@link #OUT}
     * @param spi           as 0x and eight hex digits
     * @param nextSequence  the next ESP sequence number an outbound SA will use; null for inbound
     * @param limitsCrossed the lifetime limits (ipsec.lifetime) the SA has crossed, "" for none
     */
    public record SaRow(int index, String direction, String spi, int tunnel, long packets, long bytes,
                        Long nextSequence, String limitsCrossed) {}

    public static SaView off() {
        return new SaView(false, null, List.of());
    }

    @Override
    public String text() {
        return ipsec ? "Crypto engine: " + engine + "\n" + table(sas) : "ipsec is off\n";
    }

    /** The SA table alone, as the node's log and {@code show sa} print it. */
    public static String table(List<SaRow> sas) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-8s %-10s %-6s %12s %14s %-14s %s%n", "Index",
                "Dir", "SPI", "Tunnel", "Packets", "Bytes", "Next sequence", "Limits crossed"));
        for (SaRow sa : sas) {
            sb.append(String.format("%-5d %-8s %-10s %-6d %12d %14d %-14s %s%n", sa.index(), sa.direction(), sa.spi(),
                    sa.tunnel(), sa.packets(), sa.bytes(), sa.nextSequence() == null ? "" : sa.nextSequence(),
                    sa.limitsCrossed()));
        }
        return sb.toString();
    }
}

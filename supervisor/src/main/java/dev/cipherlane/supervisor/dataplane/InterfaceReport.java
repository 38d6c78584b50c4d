package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import java.util.Optional;

/** {@code show interfaces}: pods, then the uplink with its kernel ring counters, then the host tap. */
final class InterfaceReport {
    private InterfaceReport() {}

    static String format(List<PodPort> pods, Optional<UplinkPort> uplink, long buffersInUse, long punted) {
        StringBuilder sb = new StringBuilder(String.format("%-20s %5s %-17s %5s %6s%n",
                "Interface", "Index", "Pod MAC", "MTU", "Queues"));
        for (PodPort p : pods) {
            sb.append(String.format("%-20s %5d %-17s %5d %6d%n", p.name(), p.interfaceIndex(),
                    new MacAddress(p.podMac()), p.mtu(), p.queueFds().length));
        }
        uplink.ifPresent(port -> uplink(sb, port));
        sb.append(String.format("buffers in use: %d, punted to the control plane: %d%n", buffersInUse, punted));
        return sb.toString();
    }

    private static void uplink(StringBuilder sb, UplinkPort port) {
        UplinkInterface up = port.view();
        sb.append(String.format("%nuplink %s (index %d) %s mtu %d, %d rings%n", up.name(), up.index(),
                new MacAddress(up.mac()), up.mtu(), port.rings().size()));
        for (NetInterface.Ip4Address a : up.asNetInterface().ip4()) {
            sb.append("  ").append(Prefixes.format4(a.address())).append('/')
                    .append(a.prefixLength()).append('\n');
        }
        long packets = 0;
        long drops = 0;
        long freezes = 0;
        for (PacketRing r : port.rings()) {
            try {
                PacketRing.Statistics s = r.statistics();
                packets += s.packets();
                drops += s.drops();
                freezes += s.freezes();
            } catch (LinuxException e) {
                sb.append("  ring statistics unavailable: ").append(e.getMessage()).append('\n');
            }
        }
        // The kernel's counters since the rings opened: drops mean no rx block was free.
        sb.append(String.format("  kernel rx: %d packets, %d dropped (ring full), %d queue freezes%n",
                packets, drops, freezes));
        sb.append(String.format("host tap %s (index %d)%n", up.hostName(), up.hostIndex()));
    }
}

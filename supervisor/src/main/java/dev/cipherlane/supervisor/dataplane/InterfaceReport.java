package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.avf.stage.AvfPort;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.supervisor.admin.views.InterfacesView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rows of {@code show interfaces}: pods, then the uplink with its kernel ring counters, then the host tap. */
final class InterfaceReport {
    private InterfaceReport() {}

    static InterfacesView view(List<PodPort> pods, Optional<UplinkPort> uplink, long buffersInUse, long punted) {
        List<InterfacesView.InterfaceRow> rows = new ArrayList<>();
        for (PodPort p : pods) {
            rows.add(new InterfacesView.InterfaceRow(p.name(), p.interfaceIndex(), InterfacesView.POD,
                    new MacAddress(p.podMac()).toString(), p.mtu(), p.queueFds().length, List.of(), null));
        }
        uplink.ifPresent(port -> {
            UplinkInterface up = port.view();
            List<String> addresses = new ArrayList<>();
            for (NetInterface.Ip4Address a : up.asNetInterface().ip4()) {
                addresses.add(Prefixes.format4(a.address()) + "/" + a.prefixLength());
            }
            InterfacesView.Vf vf = port.vf().map(InterfaceReport::vf).orElse(null);
            rows.add(new InterfacesView.InterfaceRow(up.name(), up.index(), InterfacesView.UPLINK,
                    new MacAddress(up.mac()).toString(), up.mtu(), vf != null ? vf.queues() : port.rings().size(),
                    List.copyOf(addresses), kernelRx(port), vf));
            rows.add(new InterfacesView.InterfaceRow(up.hostName(), up.hostIndex(), InterfacesView.HOST, null, up.mtu(),
                    1, List.of(), null));
        });
        return new InterfacesView(List.copyOf(rows), buffersInUse, punted);
    }

    static InterfacesView.Vf vf(AvfPort port) {
        AvfPort.Status s = port.status();
        return new InterfacesView.Vf(s.device(), s.model(), s.state().name(), s.failure(), s.linkUp(), s.queues(),
                s.restarts(), s.rxPackets(), s.txPackets(), s.rxDropped(), s.txRingFull());
    }

    /** The kernel's counters since the rings opened: drops mean no rx block was free. */
    private static InterfacesView.KernelRx kernelRx(UplinkPort port) {
        long packets = 0;
        long drops = 0;
        long freezes = 0;
        List<String> unavailable = new ArrayList<>();
        List<PacketRing> rings = new ArrayList<>(port.rings());
        port.vf().map(AvfUplink::modelRing).ifPresent(rings::add);
        for (PacketRing r : rings) {
            try {
                PacketRing.Statistics s = r.statistics();
                packets += s.packets();
                drops += s.drops();
                freezes += s.freezes();
            } catch (LinuxException e) {
                unavailable.add(e.getMessage());
            }
        }
        return new InterfacesView.KernelRx(packets, drops, freezes, List.copyOf(unavailable));
    }
}

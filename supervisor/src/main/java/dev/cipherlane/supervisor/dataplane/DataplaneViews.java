package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.avf.stage.AvfPort;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.Worker;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.tunnel.TunnelCounters;
import dev.cipherlane.supervisor.admin.views.ErrorsView;
import dev.cipherlane.supervisor.admin.views.FibView;
import dev.cipherlane.supervisor.admin.views.HealthView;
import dev.cipherlane.supervisor.admin.views.IkeView;
import dev.cipherlane.supervisor.admin.views.InterfacesView;
import dev.cipherlane.supervisor.admin.views.NeighboursView;
import dev.cipherlane.supervisor.admin.views.OperatorViews;
import dev.cipherlane.supervisor.admin.views.PodsView;
import dev.cipherlane.supervisor.admin.views.RuntimeView;
import dev.cipherlane.supervisor.admin.views.SaView;
import dev.cipherlane.supervisor.admin.views.StageTotals;
import dev.cipherlane.supervisor.admin.views.TraceView;
import dev.cipherlane.supervisor.admin.views.TunnelsView;
import dev.cipherlane.supervisor.peers.IkeTunnel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The operator views of one {@link Dataplane}, drawn from its parts as they are when a view is
 * asked for. Only reads: counters that workers write, tables the control thread publishes.
 */
final class DataplaneViews implements OperatorViews {

    /** What of a dataplane the views read; the dataplane hands out its current parts. */
    record Parts(List<PodPort> pods, Optional<UplinkPort> uplink, InterfaceTable interfaces, LongSupplier buffersInUse,
                 LongSupplier punted, NeighbourTable neighbours, NodeForwarding forwarding,
                 TunnelCounters tunnelCounters, TunnelSecurity security, Object engine,
                 Supplier<List<Worker.Health>> health, Supplier<List<GraphRuntime>> runtimes,
                 Supplier<Map<String, IkeTunnel.Status>> ike, LongSupplier ikeFromUnknown) {}

    private final Parts d;

    DataplaneViews(Parts parts) {
        this.d = parts;
    }

    @Override
    public InterfacesView interfaces() {
        return InterfaceReport.view(d.pods(), d.uplink(), d.buffersInUse().getAsLong(), d.punted().getAsLong());
    }

    @Override
    public RuntimeView runtime() {
        return RuntimeView.of(d.health().get(), stageTotals());
    }

    @Override
    public ErrorsView errors() {
        return ErrorsView.of(stageTotals());
    }

    @Override
    public FibView fib() {
        return FibView.of(d.forwarding().tables(), this::interfaceName);
    }

    @Override
    public TunnelsView tunnels() {
        return TunnelReport.view(d.forwarding(), d.tunnelCounters());
    }

    @Override
    public SaView sa() {
        return d.security() == null ? SaView.off() : new SaView(true, String.valueOf(d.engine()), d.security().rows());
    }

    @Override
    public NeighboursView neighbours() {
        return NeighboursView.of(d.neighbours().listing(System.nanoTime()), this::interfaceName);
    }

    @Override
    public PodsView pods() {
        return PodReport.view(d.pods());
    }

    @Override
    public TraceView trace() {
        return TraceView.of(d.runtimes().get());
    }

    /** Tunnels that drop their traffic, and why; an uplink VF that failed, and why. */
    private List<String> failing() {
        List<String> out = new ArrayList<>();
        d.uplink().flatMap(UplinkPort::vf).map(AvfPort::status)
                .filter(s -> s.state() == dev.cipherlane.avf.driver.VfState.FAILED)
                .ifPresent(s -> out.add("uplink VF " + s.device() + " failed, its traffic is dropped: " + s.failure()
                        + " (bring-up is tried again every " + AvfPort.RETRY_NANOS / 1_000_000_000L + " s)"));
        if (d.security() != null) {
            for (NodeForwarding.TunnelInfo t : d.forwarding().tunnelInfo()) {
                d.security().whyDropping(d.forwarding(), t)
                        .ifPresent(why -> out.add("tunnel " + Dataplane.tunnelName(t) + " drops its traffic: " + why));
            }
        }
        return out;
    }

    /** Tunnels waiting for their next hop's ARP answer before they carry anything. */
    private List<String> waiting() {
        List<String> out = new ArrayList<>();
        d.uplink().flatMap(UplinkPort::vf).map(AvfPort::status)
                .filter(s -> s.state() != dev.cipherlane.avf.driver.VfState.RUNNING
                        && s.state() != dev.cipherlane.avf.driver.VfState.FAILED)
                .ifPresent(s -> out.add("uplink VF " + s.device() + " on its driver, now " + s.state()));
        for (NodeForwarding.TunnelInfo t : d.forwarding().tunnelInfo()) {
            if (d.security() != null && d.security().awaitingIke(d.forwarding(), t)) {
                out.add("tunnel " + Dataplane.tunnelName(t) + " on IKE to bring its keys");
            }
            if (!d.forwarding().underlayResolved(t.index())) {
                out.add("tunnel " + Dataplane.tunnelName(t) + " on an ARP answer from its next hop "
                        + Prefixes.format4(t.remote()));
            }
        }
        return out;
    }

    @Override
    public IkeView ike() {
        List<IkeView.IkeRow> rows = new ArrayList<>();
        var board = d.ike().get();
        for (NodeForwarding.TunnelInfo t : d.forwarding().tunnelInfo()) {
            var s = board.get(Dataplane.tunnelName(t));
            if (s != null) {
                rows.add(new IkeView.IkeRow(Dataplane.tunnelName(t),
                        s.initiator() ? "initiator" : "responder", s.state(),
                        IkeView.spi(s.initiatorSpi()),
                        IkeView.spi(s.responderSpi()), s.proposal(), s.childSas(),
                        s.rekeys(), s.retransmissions(), s.lastEvent(), s.cookies(), s.refused()));
            }
        }
        return new IkeView(rows, d.ikeFromUnknown().getAsLong());
    }

    @Override
    public HealthView health() {
        return HealthView.of(d.health().get(), failing(), waiting());
    }

    @Override
    public StageTotals stageTotals() {
        return StageTotals.of(d.runtimes().get());
    }

    /** Our name of interface {@code index}, "if" and the index for one the table does not hold. */
    private String interfaceName(int index) {
        NetInterface i = d.interfaces().get(index);
        return i == null ? "if" + index : i.name();
    }
}

package dev.cipherlane.supervisor.metrics;

import dev.cipherlane.supervisor.admin.DataplaneView;
import dev.cipherlane.supervisor.admin.views.InterfacesView;
import dev.cipherlane.supervisor.admin.views.OperatorViews;
import dev.cipherlane.supervisor.admin.views.RuntimeView;
import dev.cipherlane.supervisor.admin.views.SaView;
import dev.cipherlane.supervisor.admin.views.StageTotals;
import dev.cipherlane.supervisor.admin.views.TunnelsView;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's Prometheus metrics, read when scraped from the running dataplane's counters (the
 * ones {@code show runtime}, {@code show errors}, {@code show interfaces}, {@code show tunnels}
 * and {@code show sa} print), so the data path pays nothing for them.
 *
 * <p>Names follow the Prometheus naming practices (prometheus.io/docs/practices/naming): one
 * {@code cipherlane_} prefix, base units (seconds, bytes), {@code _total} on counters (added by
 * the exposition format writer to the names below), and what varies in labels: stage, reason,
 * interface, tunnel, peer, spi, direction, worker. Idle stages and zero error counters are
 * exported too, so a rate() over them starts from the node's start rather than from the first
 * drop.
 */
final class DataplaneCollector implements MultiCollector {

    private final AtomicReference<DataplaneView> dataplane;

    DataplaneCollector(AtomicReference<DataplaneView> dataplane) {
        this.dataplane = dataplane;
    }

    @Override
    public MetricSnapshots collect() {
        DataplaneView running = dataplane.get();
        Families f = new Families();
        f.gauge("cipherlane_dataplane_up", "1 while the dataplane runs, 0 before it starts or after it stopped")
                .add(running == null ? 0 : 1);
        if (running != null) {
            OperatorViews views = running.views();
            workers(f, views.runtime());
            stages(f, views.stageTotals());
            interfaces(f, views.interfaces());
            tunnels(f, views.tunnels());
            sas(f, views.sa());
        }
        return f.snapshots();
    }

    private static void workers(Families f, RuntimeView runtime) {
        Families.Family up = f.gauge("cipherlane_worker_up", "1 while the worker thread runs, 0 while it is restarted");
        Families.Family restarts = f.counter("cipherlane_worker_restarts", "Restarts of the worker after its thread died");
        for (RuntimeView.WorkerRow w : runtime.workers()) {
            String worker = Integer.toString(w.worker());
            up.add(w.running() ? 1 : 0, "worker", worker);
            restarts.add(w.restarts(), "worker", worker);
        }
    }

    private static void stages(Families f, StageTotals totals) {
        Families.Family calls = f.counter("cipherlane_stage_calls", "Times the stage ran, over all workers");
        Families.Family vectors = f.counter("cipherlane_stage_vectors", "Frames the stage processed");
        Families.Family packets = f.counter("cipherlane_stage_packets", "Packets the stage processed");
        Families.Family cpu = f.counter("cipherlane_stage_cpu_seconds", "CPU time spent in the stage");
        Families.Family errors = f.counter("cipherlane_stage_errors",
                "Packets the stage dropped or flagged, by reason; reason=\"exception\" counts packets whose stage threw");
        for (StageTotals.Stage s : totals.stages()) {
            calls.add(s.calls(), "stage", s.name());
            vectors.add(s.vectors(), "stage", s.name());
            packets.add(s.packets(), "stage", s.name());
            cpu.add(s.nanos() / 1e9, "stage", s.name());
            for (StageTotals.Reason r : s.errors()) {
                errors.add(r.count(), "stage", s.name(), "reason", r.reason());
            }
        }
    }

    private static void interfaces(Families f, InterfacesView view) {
        f.gauge("cipherlane_buffers_in_use", "Packet buffers allocated from the pools").add(view.buffersInUse());
        f.counter("cipherlane_punted_packets", "Packets handed to the control plane through the punt ring")
                .add(view.punted());
        Families.Family mtu = f.gauge("cipherlane_interface_mtu_bytes", "The interface's MTU");
        Families.Family queues = f.gauge("cipherlane_interface_queues", "Tap queues or AF_PACKET rings of the interface");
        Families.Family rx = f.counter("cipherlane_interface_kernel_receive_packets",
                "Packets the kernel put on the uplink's rx rings (tpacket_stats_v3)");
        Families.Family drops = f.counter("cipherlane_interface_kernel_receive_dropped_packets",
                "Packets the kernel dropped because no rx block of the uplink's rings was free");
        Families.Family freezes = f.counter("cipherlane_interface_kernel_receive_queue_freezes",
                "Times the kernel froze an rx ring of the uplink because it was full");
        for (InterfacesView.InterfaceRow i : view.interfaces()) {
            mtu.add(i.mtu(), "interface", i.name(), "role", i.role());
            queues.add(i.queues(), "interface", i.name(), "role", i.role());
            if (i.kernelRx() != null) {
                rx.add(i.kernelRx().packets(), "interface", i.name());
                drops.add(i.kernelRx().drops(), "interface", i.name());
                freezes.add(i.kernelRx().freezes(), "interface", i.name());
            }
        }
    }

    private static void tunnels(Families f, TunnelsView view) {
        Families.Family txPackets = f.counter("cipherlane_tunnel_transmit_packets", "Packets sent into the tunnel");
        Families.Family txBytes = f.counter("cipherlane_tunnel_transmit_bytes", "Bytes sent into the tunnel, inner packets");
        Families.Family rxPackets = f.counter("cipherlane_tunnel_receive_packets", "Packets received from the tunnel");
        Families.Family rxBytes = f.counter("cipherlane_tunnel_receive_bytes", "Bytes received from the tunnel, inner packets");
        Families.Family resolved = f.gauge("cipherlane_tunnel_underlay_resolved",
                "1 once the tunnel's underlay next hop answered ARP, else 0");
        for (TunnelsView.TunnelRow t : view.tunnels()) {
            String[] labels = {"tunnel", Integer.toString(t.index()), "peer", t.peer(), "local", t.local(),
                    "remote", t.remote()};
            txPackets.add(t.txPackets(), labels);
            txBytes.add(t.txBytes(), labels);
            rxPackets.add(t.rxPackets(), labels);
            rxBytes.add(t.rxBytes(), labels);
            resolved.add(TunnelsView.RESOLVED.equals(t.underlay()) ? 1 : 0, labels);
        }
    }

    private static void sas(Families f, SaView view) {
        Families.Family packets = f.counter("cipherlane_sa_packets", "Packets the SA protected (out) or accepted (in)");
        Families.Family bytes = f.counter("cipherlane_sa_bytes", "Bytes the SA protected (out) or accepted (in)");
        Families.Family next = f.gauge("cipherlane_sa_next_sequence", "The next ESP sequence number of an outbound SA");
        for (SaView.SaRow sa : view.sas()) {
            String[] labels = {"spi", sa.spi(), "direction", sa.direction(), "tunnel", Integer.toString(sa.tunnel())};
            packets.add(sa.packets(), labels);
            bytes.add(sa.bytes(), labels);
            if (sa.nextSequence() != null) {
                next.add(sa.nextSequence(), labels);
            }
        }
    }
}

package dev.cipherlane.supervisor.admin.views;

import java.util.Arrays;
import java.util.List;

/**
 * A node's views with a row of every kind (a failed worker, a traced packet, an IPv6
 * neighbour, an SA with and one without a next sequence...), for tests of rendering, JSON,
 * the admin commands and /metrics that need no running dataplane.
 */
public final class SampleViews implements OperatorViews {

    public static final StageTotals TOTALS = new StageTotals(List.of(
            new StageTotals.Stage("ip4-lookup", 10, 12, 300, 45_000, List.of(
                    new StageTotals.Reason("no route", 4), new StageTotals.Reason("ttl expired", 0),
                    new StageTotals.Reason(StageTotals.EXCEPTION, 2))),
            new StageTotals.Stage("esp-encrypt", 5, 5, 100, 2_000_000_000L, List.of(
                    new StageTotals.Reason("no sa", 0), new StageTotals.Reason(StageTotals.EXCEPTION, 0))),
            new StageTotals.Stage("gro", 0, 0, 0, 0, List.of(new StageTotals.Reason(StageTotals.EXCEPTION, 0)))));

    public static final List<RuntimeView.WorkerRow> WORKERS = List.of(
            new RuntimeView.WorkerRow(0, true, 0, null, null),
            new RuntimeView.WorkerRow(1, false, 2, "java.lang.Error: boom", "2026-12-07T10:00:00Z"));

    /** A VF whose driver gave up, so JSON and text carry the failure. */
    public static final InterfacesView.Vf VF = new InterfacesView.Vf("0000:3b:02.0", false, "FAILED",
            "the PF refused CONFIG_VSI_QUEUES with VIRTCHNL_STATUS_ERR_PARAM (-5)", false, 0, 2, 10, 20, 1, 3);

    @Override
    public InterfacesView interfaces() {
        return new InterfacesView(List.of(
                new InterfacesView.InterfaceRow("n1p1", 0, InterfacesView.POD, "02:aa:00:00:00:01", 1400, 2, List.of(),
                        null),
                new InterfacesView.InterfaceRow("wire0", 1, InterfacesView.UPLINK, "0a:a3:a7:cc:ed:cf", 1500, 2,
                        List.of("10.200.0.1/24"), new InterfacesView.KernelRx(1234, 5, 1, List.of()), VF),
                new InterfacesView.InterfaceRow("cl-host", 2, InterfacesView.HOST, null, 1500, 1, List.of(), null)),
                17, 3);
    }

    @Override
    public RuntimeView runtime() {
        return new RuntimeView(WORKERS, List.of(new RuntimeView.StageRow("ip4-lookup", 10, 12, 300, 45_000),
                new RuntimeView.StageRow("esp-encrypt", 5, 5, 100, 2_000_000_000L)));
    }

    @Override
    public ErrorsView errors() {
        return ErrorsView.of(TOTALS);
    }

    @Override
    public FibView fib() {
        return new FibView(List.of(
                new FibView.RouteRow("10.1.1.10/32", 2, List.of(new FibView.PathRow(2, "rewrite", "10.1.1.10", "n1p1",
                        null))),
                new FibView.RouteRow("10.1.2.0/24", 7, List.of(new FibView.PathRow(8, FibView.TUNNEL, null, null, 0),
                        new FibView.PathRow(9, FibView.TUNNEL, null, null, 1))),
                new FibView.RouteRow("fd00:200::/64", 4, List.of(new FibView.PathRow(4, "glean", null, "wire0", null)))));
    }

    @Override
    public TunnelsView tunnels() {
        return new TunnelsView(List.of(
                new TunnelsView.TunnelRow(0, "node-b", 0, "10.200.0.11", "10.200.0.2", TunnelsView.RESOLVED, 100, 140_000,
                        90, 120_000),
                new TunnelsView.TunnelRow(1, "node-b", 1, "10.200.0.21", "10.200.0.12", TunnelsView.ARP, 0, 0, 0, 0)));
    }

    @Override
    public SaView sa() {
        return new SaView(true, "ipsec-mb", List.of(
                new SaView.SaRow(0, SaView.OUT, "0x00001001", 0, 100, 150_000, 101L, ""),
                new SaView.SaRow(1, SaView.IN, "0x00002001", 0, 90, 130_000, null, "soft bytes")));
    }

    @Override
    public NeighboursView neighbours() {
        return new NeighboursView(List.of(
                new NeighboursView.NeighbourRow("10.200.0.2", "0a:00:00:00:00:02", "wire0", "REACHABLE", true, 1.25),
                new NeighboursView.NeighbourRow("10.200.0.12", null, "wire0", "INCOMPLETE", false, 0.5),
                new NeighboursView.NeighbourRow("fd01:1::10", "02:aa:00:00:00:01", "n1p1", "PERMANENT", false, null)),
                List.of(new NeighboursView.DynamicRow("wire0", 2, 1024)), 3);
    }

    @Override
    public PodsView pods() {
        return new PodsView(List.of(
                new PodsView.PodRow("n1p1", 0, "02:aa:00:00:00:01", 1400, 2, "10.1.1.10", "fd01:1::10"),
                new PodsView.PodRow("n1p2", 1, "02:aa:00:00:00:02", 1400, 1, "10.1.1.11", null)));
    }

    @Override
    public TraceView trace() {
        return new TraceView(List.of(
                new TraceView.WorkerTrace(0, List.of(new TraceView.TracedPacket(1,
                        List.of("tap-input-n1p1-q0: 98 bytes", "ip4-lookup: 10.1.1.10 -> lb 2")))),
                new TraceView.WorkerTrace(1, List.of())));
    }

    @Override
    public IkeView ike() {
        return new IkeView(List.of(new IkeView.IkeRow("n2/0", "initiator", "established", IkeView.spi(0x1122334455667788L),
                IkeView.spi(0x99aabbccddeeff00L), "AES_GCM_16_256, CURVE25519", 1, 2, 3, "IKE SA rekeyed", 4, 0)), 7);
    }

    @Override
    public HealthView health() {
        return new HealthView(HealthView.DEGRADED, 2, 1, 2, WORKERS.subList(1, 2),
                List.of("tunnel n2/1 drops its traffic: no usable keys: /etc/cipherlane/keys/n2.1.key: no such file"),
                List.of("tunnel n2/0 on an ARP answer from its next hop 10.200.0.2"));
    }

    @Override
    public StageTotals stageTotals() {
        return TOTALS;
    }

    /** Every view, for checks that hold for each. */
    public List<OperatorView> all() {
        return Arrays.asList(interfaces(), runtime(), errors(), fib(), tunnels(), sa(), neighbours(), pods(), trace(),
                health());
    }
}

package dev.cipherlane.supervisor.admin.views;

/**
 * What a running dataplane shows the operator as typed views. Each call takes fresh rows from
 * the dataplane's counters and tables; the view is then a value and no longer changes.
 */
public interface OperatorViews {
    InterfacesView interfaces();

    RuntimeView runtime();

    ErrorsView errors();

    FibView fib();

    TunnelsView tunnels();

    SaView sa();

    NeighboursView neighbours();

    PodsView pods();

    TraceView trace();

    HealthView health();

    IkeView ike();

    /** Every stage's counters, idle ones too, for /metrics (which wants series that exist from the start). */
    StageTotals stageTotals();
}

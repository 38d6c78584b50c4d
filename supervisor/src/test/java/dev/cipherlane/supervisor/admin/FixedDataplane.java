package dev.cipherlane.supervisor.admin;

import dev.cipherlane.supervisor.admin.views.OperatorViews;

/** A dataplane that shows fixed views, for admin and metrics tests without taps or workers. */
public final class FixedDataplane implements DataplaneView {
    private final OperatorViews views;
    int traced;

    public FixedDataplane(OperatorViews views) {
        this.views = views;
    }

    @Override public String showRuntime() { return views.runtime().text(); }
    @Override public String showHealth() { return views.health().text(); }
    @Override public String showErrors() { return views.errors().text(); }
    @Override public String showInterfaces() { return views.interfaces().text(); }
    @Override public String showTrace() { return views.trace().text(); }
    @Override public String showTunnels() { return views.tunnels().text(); }
    @Override public String showSa() { return views.sa().text(); }
    @Override public String showNeighbours() { return views.neighbours().text(); }

    @Override
    public int trace(int packets) {
        traced = packets;
        return packets;
    }

    @Override
    public void clearTrace() {
        traced = 0;
    }

    @Override
    public OperatorViews views() {
        return views;
    }
}

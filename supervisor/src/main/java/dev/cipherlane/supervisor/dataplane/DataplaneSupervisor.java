package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.supervisor.admin.DataplaneView;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Owns the node's dataplane: attaches the configured pods (re-attaching the persistent taps
 * a previous run left), takes the uplink over (restoring first what a crashed run left taken),
 * starts the workers, and publishes the dataplane to the admin API. Stopping gives the uplink
 * back to the kernel.
 * Stopping it stops the workers and closes our tap fds; the taps, and the pods' view of
 * their network, stay as they are, so a restarted service carries on where this one left.
 */
public final class DataplaneSupervisor {
    private DataplaneSupervisor() {}

    /** No messages yet: the dataplane lives from setup to stop. */
    public sealed interface Command permits Stop {}

    public record Stop() implements Command {}

    public static Behavior<Command> create(NodeSettings settings, AtomicReference<DataplaneView> published) {
        return Behaviors.setup(context -> {
            PodPlumbing plumbing = PodPlumbing.attachAll(settings);
            UplinkPort uplink = null;
            Dataplane dataplane;
            try {
                if (settings.uplink().enabled()) {
                    int pods = plumbing.ports().size();
                    uplink = UplinkPort.take(settings.uplink(), settings.stateDir(), settings.dataplane().workers(),
                            pods, pods + 1);
                }
                dataplane = Dataplane.start(settings, plumbing.ports(), Optional.ofNullable(uplink));
            } catch (Exception e) {
                if (uplink != null) {
                    uplink.close();
                }
                plumbing.close();
                throw e;
            }
            // The control logic (neighbour ageing, resolution, SA limits, solicitations) runs from
            // here to PostStop, and stops before the dataplane it works on.
            dataplane.control().start();
            published.set(dataplane);
            context.getLog().info("dataplane running: pods {}, workers {}, uplink {}, tunnels {}",
                    plumbing.ports().size(), settings.dataplane().workers(),
                    settings.uplink().interfaceName().orElse("none"), dataplane.forwarding().tunnelInfo().size());
            UplinkPort taken = uplink;
            return Behaviors.receive(Command.class)
                    .onMessage(Stop.class, stop -> Behaviors.stopped())
                    .onSignal(PostStop.class, signal -> {
                        published.set(null);
                        dataplane.control().close();
                        dataplane.close();
                        if (taken != null) {
                            taken.close();
                        }
                        plumbing.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}

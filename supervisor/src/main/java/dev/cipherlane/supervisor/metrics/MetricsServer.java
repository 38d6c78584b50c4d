package dev.cipherlane.supervisor.metrics;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The metrics endpoint as a child of the node: it lives as long as this actor, so it starts
 * with the node and is closed when the node stops, like the admin socket. It takes no
 * messages; scrapes are served on the endpoint's own threads.
 */
public final class MetricsServer {
    private MetricsServer() {}

    public static Behavior<Void> create(MetricsEndpoint endpoint) {
        return Behaviors.setup(context -> {
            context.getLog().info("metrics served on http://{}/metrics", endpoint.address());
            return Behaviors.receive(Void.class)
                    .onSignal(PostStop.class, stopped -> {
                        endpoint.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}

package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.PodSettings;
import dev.cipherlane.supervisor.admin.AdminCommands;
import dev.cipherlane.supervisor.admin.FailureText;
import dev.cipherlane.supervisor.admin.PodRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;

/**
 * The pods of one running dataplane: attaches and detaches their taps while every other flow
 * goes on. Pods come from the config file (a reload's pod changes, {@link ApplyPods}) and from
 * the admin API ({@link AddPod}, {@link DeletePod}: what a CNI plugin calls), the latter kept
 * in {@link ApiPods} so a restart attaches them again. A pod is one or the other: the API
 * cannot remove a pod of the file's, and a file cannot take a name the API holds.
 *
 * <p>Every change is checked first by the rules a config's pods meet
 * ({@link NodeSettings#withPods}), recorded ahead in the state files, then made: the tap
 * ({@link PodPlumbing}), then the dataplane ({@link Dataplane#addPod}). A reload's pod
 * changes are one batch: if one fails, those made are undone and the pods it removed or
 * changed are attached again as they were.
 *
 * <p>Supervision: nothing a request brings escapes a handler (each answers with an error), so
 * what could still throw is a bug; the actor is then restarted, and as its state lives in the
 * state files, the plumbing and the dataplane, it picks up where it was. The plumbing is its
 * parent's ({@link DataplaneRun}), which closes it after the dataplane.
 */
final class InterfaceManager {
    private InterfaceManager() {}

    sealed interface Command permits AddPod, DeletePod, ApplyPods {}

    /** {@code ctl pod add}: the answer (text, one line) goes to {@code replyTo}. */
    record AddPod(PodRequest.Add request, ActorRef<String> replyTo) implements Command {}

    /** {@code ctl pod del}. */
    record DeletePod(String name, ActorRef<String> replyTo) implements Command {}

    /** A reload's pod changes ({@link LiveSettings.How#POD}), to reach {@code settings}' pods. */
    record ApplyPods(NodeSettings settings, List<ConfigChange> changes, ActorRef<PodsApplied> replyTo)
            implements Command {}

    /** How {@link ApplyPods} ended: {@code failure} is null when every change was made. */
    record PodsApplied(String failure) {}

    /**
     * @param config the run's config as reloads change it: the file's pods, the pod network and
     *               the rules pods are checked by
     */
    static Behavior<Command> supervised(AtomicReference<NodeSettings> config, PodPlumbing plumbing,
            Dataplane dataplane) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> {
            Managing m = new Managing(config, plumbing, dataplane, context.getLog());
            return Behaviors.receive(Command.class)
                    .onMessage(AddPod.class, a -> {
                        a.replyTo().tell(m.add(a.request()));
                        return Behaviors.same();
                    })
                    .onMessage(DeletePod.class, d -> {
                        d.replyTo().tell(m.delete(d.name()));
                        return Behaviors.same();
                    })
                    .onMessage(ApplyPods.class, p -> {
                        p.replyTo().tell(new PodsApplied(m.apply(p.settings(), p.changes())));
                        return Behaviors.same();
                    })
                    .build();
        })).onFailure(Exception.class, SupervisorStrategy.restart());
    }

    private static final class Managing {
        private final AtomicReference<NodeSettings> config;
        private final PodPlumbing plumbing;
        private final Dataplane dataplane;
        private final Logger log;

        Managing(AtomicReference<NodeSettings> config, PodPlumbing plumbing, Dataplane dataplane, Logger log) {
            this.config = config;
            this.plumbing = plumbing;
            this.dataplane = dataplane;
            this.log = log;
        }

        String add(PodRequest.Add r) {
            NodeSettings c = config.get();
            try {
                ApiPods api = ApiPods.read(c.stateDir());
                if (plumbing.has(r.name())) {
                    return error("pod add: pod " + r.name() + " is already attached"
                            + (api.pod(r.name()).isPresent() ? "" : " (from the config file)"));
                }
                PodSettings pod = new PodSettings(r.name(), r.netns(), r.addresses(), r.mac(),
                        r.queues().orElse(c.podNetwork().queues()), r.mtu().orElse(c.podNetwork().mtu()));
                List<PodSettings> all = new ArrayList<>(c.pods());
                all.addAll(api.pods());
                all.add(pod);
                c.withPods(all);
                api.with(pod).write(c.stateDir());
                try {
                    PodPort port = attach(pod);
                    log.info("pod {} added through the API: interface {}", pod.name(), port.interfaceIndex());
                    return "pod " + pod.name() + ": attached as interface " + port.interfaceIndex() + ", tap "
                            + c.podNetwork().interfaceName() + " in " + pod.netns() + ", mac "
                            + new dev.cipherlane.net.MacAddress(port.podMac()) + ", " + pod.queues() + " queue(s), mtu "
                            + pod.mtu() + "\n";
                } catch (Exception e) {
                    api.write(c.stateDir());
                    throw e;
                }
            } catch (Exception e) {
                return error("pod add: " + FailureText.of(e));
            }
        }

        String delete(String name) {
            NodeSettings c = config.get();
            try {
                if (c.pods().stream().anyMatch(p -> p.name().equals(name))) {
                    return error("pod del: pod " + name + " comes from the config file: remove it there and reload");
                }
                ApiPods api = ApiPods.read(c.stateDir());
                if (api.pod(name).isEmpty()) {
                    return error("pod del: no pod named " + name);
                }
                detach(name, true);
                api.without(name).write(c.stateDir());
                log.info("pod {} deleted through the API", name);
                return "pod " + name + ": detached, its tap destroyed\n";
            } catch (Exception e) {
                return error("pod del: " + FailureText.of(e));
            }
        }

        /** A reload's pod changes as one batch; the failure, or null. */
        String apply(NodeSettings neu, List<ConfigChange> changes) {
            NodeSettings old = config.get();
            Map<String, PodSettings> was = byName(old.pods());
            Map<String, PodSettings> will = byName(neu.pods());
            Set<String> names = new LinkedHashSet<>();
            for (ConfigChange change : changes) {
                names.add(LiveSettings.podOf(change));
            }
            List<String> gone = new ArrayList<>();
            List<PodSettings> coming = new ArrayList<>();
            try {
                ApiPods api = ApiPods.read(old.stateDir());
                for (String name : names) {
                    if (will.containsKey(name) && api.pod(name).isPresent()) {
                        return "pod " + name + " was added through the API; pod del it before the config takes the name";
                    }
                }
                List<PodSettings> all = new ArrayList<>(neu.pods());
                all.addAll(api.pods());
                neu.withPods(all);
            } catch (Exception e) {
                return FailureText.of(e);
            }
            List<String> detached = new ArrayList<>();
            List<String> attached = new ArrayList<>();
            try {
                // Out first, so a changed pod's address or tap is free for its new self.
                for (String name : names) {
                    if (was.containsKey(name) && plumbing.has(name)) {
                        detach(name, false);
                        detached.add(name);
                    }
                    if (!will.containsKey(name)) {
                        gone.add(name);
                    } else {
                        coming.add(will.get(name));
                    }
                }
                for (PodSettings pod : coming) {
                    attach(pod);
                    attached.add(pod.name());
                }
            } catch (Exception e) {
                String failure = FailureText.of(e);
                log.error("reload: pod changes failed ({}); undoing them", failure);
                undo(attached, detached, was);
                return failure;
            }
            for (String name : gone) {
                try {
                    plumbing.destroy(name);
                } catch (Exception e) {
                    log.warn("pod {}: destroying its tap: {}", name, FailureText.of(e));
                }
            }
            config.set(neu);
            log.info("reload: pods attached {}, detached {}", coming.stream().map(PodSettings::name).toList(), gone);
            return null;
        }

        private void undo(List<String> attached, List<String> detached, Map<String, PodSettings> was) {
            for (String name : attached) {
                try {
                    detach(name, !was.containsKey(name));
                } catch (Exception e) {
                    log.warn("undo: detaching pod {}: {}", name, FailureText.of(e));
                }
            }
            for (String name : detached) {
                try {
                    attach(was.get(name));
                } catch (Exception e) {
                    log.error("undo: pod {} could not be attached again: {}", name, FailureText.of(e));
                }
            }
        }

        private PodPort attach(PodSettings pod) throws Exception {
            PodPort port = plumbing.attach(pod, dataplane.freeInterfaceIndex());
            try {
                dataplane.addPod(port);
            } catch (Exception e) {
                plumbing.detach(pod.name(), true);
                throw e;
            }
            return port;
        }

        /** Out of the dataplane first, then its fds closed (and with {@code destroy} its tap gone). */
        private void detach(String name, boolean destroy) throws Exception {
            dataplane.removePod(name);
            plumbing.detach(name, destroy);
        }

        private static Map<String, PodSettings> byName(List<PodSettings> pods) {
            return pods.stream().collect(Collectors.toMap(PodSettings::name, Function.identity()));
        }

        private static String error(String message) {
            return AdminCommands.ERROR + message.replace('\n', ' ') + "\n";
        }
    }
}

package dev.cipherlane.host.pod;

import dev.cipherlane.linux.files.DurableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the node service remembers across restarts: the pods whose persistent taps it made,
 * kept in {@code <state-dir>/}{@value #FILE_NAME} (format in {@link NodeStateFormat}). After
 * a restart, even after kill -9, the service reads it, re-attaches every pod still
 * configured ({@link PodTaps#attach} reattaches the existing tap) and detaches the
 * {@link #stale} ones.
 *
 * <p><b>Write ahead.</b> For the file to account for every tap, record a pod and
 * {@link #write} before attaching it, and forget it only after its detach succeeded. A
 * crash in between then leaves at worst a recorded pod without a tap, which detach treats
 * as done, and never a tap nobody remembers.
 *
 * <p>Immutable: {@link #with} and {@link #without} return new states.
 */
public record NodeState(List<PodSpec> pods) {
    public static final String FILE_NAME = "node.state";
    /** Far above any node's pods (a pod takes ~250 bytes); a bigger file is not ours. */
    static final long MAX_FILE_SIZE = 16L << 20;

    public NodeState {
        pods = List.copyOf(pods);
        Set<String> names = new HashSet<>();
        Set<String> taps = new HashSet<>();
        for (PodSpec p : pods) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("pod " + p.name() + " appears twice");
            }
            if (!taps.add(tapKey(p))) {
                throw new IllegalArgumentException("pod " + p.name() + ": another pod has " + p.interfaceName()
                        + " in " + p.namespacePath());
            }
        }
    }

    public static NodeState empty() {
        return new NodeState(List.of());
    }

    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /**
     * The state in {@code stateDir}: empty when there is no file yet (a first start), a
     * {@link NodeStateException} naming the file and line when it is damaged.
     */
    public static NodeState read(Path stateDir) throws IOException {
        Path file = file(stateDir);
        byte[] content;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE) {
                throw new NodeStateException(file, 0, size + " bytes, more than a state file can be ("
                        + MAX_FILE_SIZE + ")");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return empty();
        }
        return NodeStateFormat.decode(file, content);
    }

    /** Replaces the file in {@code stateDir} atomically and durably, owner-only (see {@link DurableFile}). */
    public void write(Path stateDir) throws IOException {
        DurableFile.replace(file(stateDir), NodeStateFormat.encode(this), DurableFile.OWNER_ONLY);
    }

    public Optional<PodSpec> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** This state with {@code pod} recorded, replacing a pod of the same name in place. */
    public NodeState with(PodSpec pod) {
        Objects.requireNonNull(pod, "pod");
        List<PodSpec> next = new ArrayList<>(pods);
        int i = indexOf(pod.name());
        if (i >= 0) {
            next.set(i, pod);
        } else {
            next.add(pod);
        }
        return new NodeState(next);
    }

    /** This state without pod {@code name}; the same state if it was not there. */
    public NodeState without(String name) {
        int i = indexOf(name);
        if (i < 0) {
            return this;
        }
        List<PodSpec> next = new ArrayList<>(pods);
        next.remove(i);
        return new NodeState(next);
    }

    /**
     * The recorded pods whose taps must be detached before {@code configured} is attached:
     * those no longer configured, and those whose tap the configuration puts elsewhere
     * (another namespace or interface name) or readdresses, since attach only adds
     * addresses and a tap is recreated to lose one. What only changed in place (MAC, MTU,
     * queues, gateways) is left to attach.
     */
    public List<PodSpec> stale(Collection<PodSpec> configured) {
        Map<String, PodSpec> byName = new HashMap<>();
        for (PodSpec p : configured) {
            byName.put(p.name(), p);
        }
        List<PodSpec> stale = new ArrayList<>();
        for (PodSpec recorded : pods) {
            PodSpec wanted = byName.get(recorded.name());
            if (wanted == null || !tapKey(wanted).equals(tapKey(recorded)) || !wanted.ip4().equals(recorded.ip4())
                    || !wanted.ip6().equals(recorded.ip6())) {
                stale.add(recorded);
            }
        }
        return stale;
    }

    private int indexOf(String name) {
        for (int i = 0; i < pods.size(); i++) {
            if (pods.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Where a pod's tap is: two pods may not share one. */
    static String tapKey(PodSpec pod) {
        return pod.namespacePath() + " " + pod.interfaceName();
    }
}

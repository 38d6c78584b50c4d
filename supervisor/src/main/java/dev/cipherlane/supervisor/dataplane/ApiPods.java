package dev.cipherlane.supervisor.dataplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cipherlane.config.PodSettings;
import dev.cipherlane.linux.files.DurableFile;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pods added through the admin API ({@code pod add}, what a CNI plugin calls) rather than
 * the config file, kept in {@code <state-dir>/}{@value #FILE_NAME} so a restarted or rebuilt
 * dataplane attaches them again. Written whole, atomically and owner-only, before the pod's
 * tap is made and after it is gone, like the node state (write ahead).
 *
 * <p>The node runs the config's pods and these; a name is one or the other, never both.
 */
record ApiPods(List<PodSettings> pods) {
    static final String FILE_NAME = "api-pods.json";
    /** Far above any node's pods (a pod takes ~200 bytes); a bigger file is not ours. */
    static final long MAX_FILE_SIZE = 16L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One pod as the file holds it. */
    record Entry(String name, String netns, List<String> addresses, String mac, int queues, int mtu) {}

    ApiPods {
        pods = List.copyOf(pods);
    }

    static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /** The pods in {@code stateDir}; none when there is no file; an exception naming the file when it is damaged. */
    static ApiPods read(Path stateDir) throws IOException {
        Path file = file(stateDir);
        byte[] content;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new IOException(file + ": larger than " + MAX_FILE_SIZE + " bytes, not a pod list");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new ApiPods(List.of());
        }
        try {
            List<Entry> entries = JSON.readValue(content, new TypeReference<List<Entry>>() {});
            List<PodSettings> pods = new ArrayList<>();
            for (Entry e : entries) {
                pods.add(settings(e));
            }
            return new ApiPods(pods);
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new IOException(file + ": not a pod list: " + e.getMessage(), e);
        }
    }

    void write(Path stateDir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (PodSettings p : pods) {
            entries.add(new Entry(p.name(), p.netns(), p.addresses().stream().map(IpAddress::toString).toList(),
                    p.mac().map(MacAddress::toString).orElse(null), p.queues(), p.mtu()));
        }
        DurableFile.replace(file(stateDir), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entries),
                DurableFile.OWNER_ONLY);
    }

    private static PodSettings settings(Entry e) {
        List<IpAddress> addresses = new ArrayList<>();
        for (String a : e.addresses()) {
            addresses.add(IpAddress.parse(a));
        }
        return new PodSettings(e.name(), e.netns(), addresses,
                Optional.ofNullable(e.mac()).map(MacAddress::parse), e.queues(), e.mtu());
    }

    Optional<PodSettings> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    ApiPods with(PodSettings pod) {
        List<PodSettings> next = new ArrayList<>(pods);
        next.removeIf(p -> p.name().equals(pod.name()));
        next.add(pod);
        return new ApiPods(next);
    }

    ApiPods without(String name) {
        List<PodSettings> next = new ArrayList<>(pods);
        next.removeIf(p -> p.name().equals(name));
        return new ApiPods(next);
    }
}

package dev.cipherlane.host.pod;

import dev.cipherlane.host.IpView;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.testbed.Namespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records every link, address and route change the kernel announces in a namespace
 * ({@code ip -o monitor}) between {@link #start} and {@link #stop}, to prove what did not
 * happen: no link went down, nothing was deleted.
 *
 * <p>Both ends are fenced with a marker, an address added to {@code lo}: once the monitor
 * prints the first it is listening, and once it prints the second every earlier change
 * has been printed too (rtnetlink multicasts reach a listener in order).
 */
final class IpMonitor implements AutoCloseable {
    private static final long MARKER_WAIT_MS = 500;
    private static final int MARKER_ATTEMPTS = 20;

    private final Namespace ns;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private IpMonitor(Namespace ns, Process process) {
        this.ns = ns;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("ip-monitor-" + ns.name()).start(this::readLines);
    }

    static IpMonitor start(Namespace ns) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(IpView.of(ns).command("-o", "monitor", "link", "address", "route"))
                .redirectErrorStream(true).start();
        IpMonitor m = new IpMonitor(ns, p);
        try {
            m.fence("127.0.0.2");
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** The changes announced since the start, each one line. */
    List<String> stop() throws IOException, InterruptedException {
        int end = fence("127.0.0.3");
        List<String> changes;
        synchronized (lines) {
            int begin = 0;
            for (int i = 0; i < end; i++) {
                if (lines.get(i).contains("127.0.0.2/32")) {
                    begin = i + 1;
                }
            }
            changes = List.copyOf(lines.subList(begin, end));
        }
        close();
        return changes;
    }

    /** Adds {@code marker} to lo until the monitor reports it; returns the index of its line. */
    private int fence(String marker) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < MARKER_ATTEMPTS; attempt++) {
            InetAddress address = InetAddress.ofLiteral(marker);
            int lo = ns.linkIndex("lo");
            try {
                ns.rtnetlink().addressDelete(lo, address, 32);
            } catch (LinuxException notThere) {
                // The first attempt finds no marker to take away.
            }
            ns.rtnetlink().addressAdd(lo, address, 32);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MARKER_WAIT_MS);
            synchronized (lines) {
                while (System.nanoTime() < deadline) {
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        if (line.contains(marker + "/32") && !line.startsWith("Deleted")) {
                            return i;
                        }
                    }
                    lines.wait(10);
                }
            }
        }
        throw new IOException("ip monitor in " + ns.name() + " never reported " + marker + "; it printed " + lines);
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process was destroyed: nothing more to read.
        }
    }

    /** Ends the monitor; an interrupt is kept for the caller rather than thrown from here. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

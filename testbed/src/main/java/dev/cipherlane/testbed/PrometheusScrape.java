package dev.cipherlane.testbed;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scrapes a /metrics endpoint and reads it with an independent parser of the Prometheus text
 * exposition format: the reference Python client's {@code text_string_to_metric_families}
 * (Debian's python3-prometheus-client, installed with the test packages). A page it cannot
 * parse fails the scrape, which is the point: our exporter's output must be what Prometheus
 * itself reads.
 */
public final class PrometheusScrape {
    private PrometheusScrape() {}

    /**
     * One sample as the parser read it.
     *
     * @param family the metric family's name (for counters, without {@code _total})
     * @param type   counter, gauge, ...
     * @param name   the sample's own name, e.g. {@code cipherlane_stage_packets_total}
     */
    public record Sample(String family, String type, String name, Map<String, String> labels, double value) {}

    // Fetch and parse in one interpreter so the scrape can run inside a node's namespace.
    // Debian's python3 (with the client) is /usr/bin/python3, not the first on PATH.
    private static final String SCRIPT = """
            import sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
            with opener.open(sys.argv[1], timeout=20) as r:
                text = r.read().decode('utf-8')
            for f in text_string_to_metric_families(text):
                for s in f.samples:
                    labels = ';'.join(k + '=' + v for k, v in sorted(s.labels.items()))
                    print('\\t'.join([f.name, f.type, s.name, labels, repr(float(s.value))]))
            print('end of samples')
            """;

    /** Scrapes {@code url} from the root namespace. */
    public static List<Sample> scrape(String url) throws IOException, InterruptedException {
        return read(Commands.run(Duration.ofSeconds(30), List.of("/usr/bin/python3", "-c", SCRIPT, url)));
    }

    /** Scrapes {@code url} from inside network namespace {@code netns}. */
    public static List<Sample> scrapeIn(String netns, String url) throws IOException, InterruptedException {
        return read(Commands.run(Duration.ofSeconds(30),
                Commands.inNamespace(netns, List.of("/usr/bin/python3", "-c", SCRIPT, url))));
    }

    private static List<Sample> read(Commands.Result result) throws IOException {
        String out = Commands.check(result);
        if (!out.strip().endsWith("end of samples")) {
            throw new IOException("the Prometheus parser did not finish: " + out);
        }
        List<Sample> samples = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (!f[3].isEmpty()) {
                for (String pair : f[3].split(";")) {
                    int eq = pair.indexOf('=');
                    labels.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            samples.add(new Sample(f[0], f[1], f[2], labels, Double.parseDouble(f[4])));
        }
        return samples;
    }
}

package dev.cipherlane.supervisor.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric families of one scrape, built as rows are read: a small builder over the client
 * library's snapshots so the collector reads as a list of names, helps and values.
 */
final class Families {
    private final List<Family> families = new ArrayList<>();

    /** A counter family; the text format writes its samples as {@code name_total}. */
    Family counter(String name, String help) {
        Family f = new Family(name, help, true);
        families.add(f);
        return f;
    }

    Family gauge(String name, String help) {
        Family f = new Family(name, help, false);
        families.add(f);
        return f;
    }

    MetricSnapshots snapshots() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Family f : families) {
            out.add(f.snapshot());
        }
        return new MetricSnapshots(out);
    }

    static final class Family {
        private final boolean counter;
        private final CounterSnapshot.Builder counters;
        private final GaugeSnapshot.Builder gauges;

        private Family(String name, String help, boolean counter) {
            this.counter = counter;
            this.counters = counter ? CounterSnapshot.builder().name(name).help(help) : null;
            this.gauges = counter ? null : GaugeSnapshot.builder().name(name).help(help);
        }

        /** One sample; {@code labels} are name, value pairs. */
        void add(double value, String... labels) {
            Labels l = Labels.of(labels);
            if (counter) {
                counters.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(value).build());
            } else {
                gauges.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(value).build());
            }
        }

        private MetricSnapshot snapshot() {
            return counter ? counters.build() : gauges.build();
        }
    }
}

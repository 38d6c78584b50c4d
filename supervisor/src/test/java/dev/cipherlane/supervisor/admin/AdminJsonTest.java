package dev.cipherlane.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.supervisor.admin.views.ErrorsView;
import dev.cipherlane.supervisor.admin.views.FibView;
import dev.cipherlane.supervisor.admin.views.HealthView;
import dev.cipherlane.supervisor.admin.views.InterfacesView;
import dev.cipherlane.supervisor.admin.views.NeighboursView;
import dev.cipherlane.supervisor.admin.views.OperatorView;
import dev.cipherlane.supervisor.admin.views.PodsView;
import dev.cipherlane.supervisor.admin.views.RuntimeView;
import dev.cipherlane.supervisor.admin.views.SaView;
import dev.cipherlane.supervisor.admin.views.SampleViews;
import dev.cipherlane.supervisor.admin.views.TraceView;
import dev.cipherlane.supervisor.admin.views.TunnelsView;
import dev.cipherlane.supervisor.admin.views.VersionView;
import dev.cipherlane.supervisor.admin.views.ViewJson;
import dev.cipherlane.testbed.NodeViews;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code show X --json} read back with Jackson is the view the node took, and says what the
 * table {@code show X} says: rows read off the text (with the lab's own parsers where it has
 * them) equal the JSON's rows.
 */
class AdminJsonTest {
    private final ObjectMapper mapper = ViewJson.mapper();
    private final SampleViews sample = new SampleViews();
    private final AdminCommands commands = new AdminCommands(NodeConfigLoader.defaults(), "1.2.3",
            new AtomicReference<>(new FixedDataplane(sample)));

    private <T extends OperatorView> T json(String command, Class<T> type) throws Exception {
        String reply = commands.answer("v1 " + command + " --json");
        assertTrue(reply.endsWith("\n") && reply.indexOf('\n') == reply.length() - 1, "one line: " + reply);
        return mapper.readValue(reply, type);
    }

    @Test
    void everyViewReadsBackAsTheViewTaken() throws Exception {
        assertEquals(sample.interfaces(), json("show interfaces", InterfacesView.class));
        assertEquals(sample.runtime(), json("show runtime", RuntimeView.class));
        assertEquals(sample.errors(), json("show errors", ErrorsView.class));
        assertEquals(sample.fib(), json("show fib", FibView.class));
        assertEquals(sample.tunnels(), json("show tunnels", TunnelsView.class));
        assertEquals(sample.sa(), json("show sa", SaView.class));
        assertEquals(sample.neighbours(), json("show neighbours", NeighboursView.class));
        assertEquals(sample.pods(), json("show pods", PodsView.class));
        assertEquals(sample.trace(), json("show trace", TraceView.class));
        assertEquals(sample.health(), json("show health", HealthView.class));
        assertEquals(sample.health(), json("health", HealthView.class));
        assertEquals(new VersionView("1.2.3", "v1"), json("version", VersionView.class));
    }

    @Test
    void tunnelsTextAndJsonHaveTheSameRows() throws Exception {
        List<NodeViews.TunnelRow> fromJson = json("show tunnels", TunnelsView.class).tunnels().stream()
                .map(t -> new NodeViews.TunnelRow(t.index(), t.local(), t.remote(), t.txPackets(), t.txBytes(),
                        t.rxPackets(), t.rxBytes())).toList();
        assertEquals(2, fromJson.size());
        assertEquals(NodeViews.tunnels(commands.answer("show tunnels")), fromJson);
    }

    @Test
    void saTextAndJsonHaveTheSameRows() throws Exception {
        SaView sa = json("show sa", SaView.class);
        List<NodeViews.SaRow> fromJson = sa.sas().stream().map(s -> new NodeViews.SaRow(s.index(),
                s.direction().equals(SaView.OUT), Integer.parseUnsignedInt(s.spi().substring(2), 16), s.tunnel(),
                s.packets(), s.bytes(), s.nextSequence() == null ? -1 : s.nextSequence())).toList();
        String text = commands.answer("show sa");
        assertEquals(NodeViews.sas(text), fromJson);
        assertTrue(text.startsWith("Crypto engine: " + sa.engine() + "\n"), text);
    }

    @Test
    void runtimeAndErrorsTextAndJsonHaveTheSameRows() throws Exception {
        Map<String, NodeViews.StageRow> fromJson = new LinkedHashMap<>();
        for (RuntimeView.StageRow s : json("show runtime", RuntimeView.class).stages()) {
            fromJson.put(s.name(), new NodeViews.StageRow(s.calls(), s.vectors(), s.packets()));
        }
        String runtime = commands.answer("show runtime");
        // The lab's parser reads the stage table, after the workers' table and its blank line.
        assertEquals(fromJson, NodeViews.runtime(runtime.substring(runtime.indexOf("\n\n") + 2)));
        Map<String, Long> errors = new LinkedHashMap<>();
        for (ErrorsView.ErrorRow e : json("show errors", ErrorsView.class).errors()) {
            errors.put(e.stage() + ": " + e.reason(), e.count());
        }
        assertEquals(Map.of("ip4-lookup: no route", 4L, "ip4-lookup: exception", 2L), errors);
        assertEquals(errors, NodeViews.errors(commands.answer("show errors")));
    }

    @Test
    void tableRowsCarryTheJsonRowsFields() throws Exception {
        // The views without a lab parser: each JSON row is one table line with its fields in order.
        List<List<String>> rows = new ArrayList<>();
        for (PodsView.PodRow p : json("show pods", PodsView.class).pods()) {
            rows.add(List.of(p.name(), "" + p.interfaceIndex(), p.mac(), "" + p.mtu(), "" + p.queues(),
                    p.ip4() == null ? "-" : p.ip4(), p.ip6() == null ? "-" : p.ip6()));
        }
        assertEquals(rows, columns(commands.answer("show pods")));
        rows.clear();
        for (FibView.RouteRow r : json("show fib", FibView.class).routes()) {
            rows.add(List.of(r.prefix(), "" + r.loadBalance()));
        }
        assertEquals(rows, columns(commands.answer("show fib")).stream().map(l -> l.subList(0, 2)).toList());
        rows.clear();
        for (NeighboursView.NeighbourRow n : json("show neighbours", NeighboursView.class).neighbours()) {
            rows.add(List.of(n.address(), n.mac() == null ? "-" : n.mac(), n.interfaceName()));
        }
        assertEquals(rows, columns(commands.answer("show neighbours")).stream()
                .filter(l -> l.size() == 5 && !l.getFirst().equals("dynamic")).map(l -> l.subList(0, 3)).toList());
        rows.clear();
        for (InterfacesView.InterfaceRow i : json("show interfaces", InterfacesView.class).interfaces()) {
            if (i.role().equals(InterfacesView.POD)) {
                rows.add(List.of(i.name(), "" + i.index(), i.mac(), "" + i.mtu(), "" + i.queues()));
            }
        }
        assertEquals(rows, columns(commands.answer("show interfaces")).stream()
                .filter(l -> l.size() == 5 && l.get(1).matches("[0-9]+")).toList());
        TraceView trace = json("show trace", TraceView.class);
        String traceText = commands.answer("show trace");
        for (String line : trace.workers().getFirst().packets().getFirst().lines()) {
            assertTrue(traceText.contains("\n" + line + "\n"), line);
        }
        HealthView health = json("show health", HealthView.class);
        assertTrue(commands.answer("show health").startsWith(health.status() + ": "));
    }

    @Test
    void configJsonIsTheRenderedDocumentsSettings() throws Exception {
        JsonNode settings = mapper.readTree(commands.answer("show config --json")).get("settings");
        Map<String, Object> fromJson = new TreeMap<>();
        for (JsonNode row : settings) {
            fromJson.put(row.get("path").asText(), mapper.treeToValue(row.get("value"), Object.class));
        }
        Map<String, Object> fromText = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : ConfigFactory.parseString(commands.answer("show config")).entrySet()) {
            fromText.put(e.getKey(), e.getValue().unwrapped());
        }
        assertEquals(fromText.keySet(), fromJson.keySet());
        assertEquals(fromText.toString(), fromJson.toString());
        assertEquals("/run/cipherlane/admin.sock", fromJson.get("cipherlane.admin.socket"));
    }

    /** A table's data lines split on runs of spaces, the header and footers left out. */
    private static List<List<String>> columns(String table) {
        return table.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty())
                .filter(l -> !l.contains(":") || l.split("\\s+").length >= 5)
                .map(l -> List.of(l.split("\\s+"))).toList();
    }
}

package dev.cipherlane.supervisor.admin.views;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.SettingsRenderer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code show config}: the effective settings. The text is {@link SettingsRenderer}'s HOCON
 * (secrets kept out there); the rows are that same document read back, one per setting path,
 * sorted by path, so the JSON says exactly what the text says.
 *
 * @param hocon the rendered document, loadable as a node's config file
 */
public record ConfigView(List<SettingRow> settings, @JsonIgnore String hocon)
        implements OperatorView {

    /** @param value a string, number, boolean, or a list of them or of objects (pods, peers) */
    public record SettingRow(String path, Object value) {}

    public static ConfigView of(NodeSettings settings) {
        String hocon = SettingsRenderer.render(settings);
        Config parsed = ConfigFactory.parseString(hocon);
        List<SettingRow> rows = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : parsed.entrySet()) {
            rows.add(new SettingRow(e.getKey(), e.getValue().unwrapped()));
        }
        rows.sort((a, b) -> a.path().compareTo(b.path()));
        return new ConfigView(List.copyOf(rows), hocon);
    }

    @Override
    public String text() {
        return hocon;
    }
}

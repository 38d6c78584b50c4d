package dev.cipherlane.config;

import java.util.Objects;

/**
 * One difference between two configs, addressed by setting path. List elements are
 * addressed by their key, not their position: {@code cipherlane.routes[10.1.0.0/16].via},
 * so reordering a list changes nothing.
 *
 * @param oldValue the typed value before (a record for a whole element); null when ADDED
 * @param newValue the typed value after; null when REMOVED
 */
public record ConfigChange(String path, Kind kind, Object oldValue, Object newValue) {

    public enum Kind { ADDED, REMOVED, CHANGED }

    public ConfigChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.ADDED) != (oldValue == null) || (kind == Kind.REMOVED) != (newValue == null)) {
            throw new IllegalArgumentException(kind + " change of " + path + " with old " + oldValue + ", new " + newValue);
        }
    }

    static ConfigChange added(String path, Object value) {
        return new ConfigChange(path, Kind.ADDED, null, value);
    }

    static ConfigChange removed(String path, Object value) {
        return new ConfigChange(path, Kind.REMOVED, value, null);
    }

    static ConfigChange changed(String path, Object oldValue, Object newValue) {
        return new ConfigChange(path, Kind.CHANGED, oldValue, newValue);
    }

    /** {@code + path}, {@code - path} or {@code ~ path: old -> new}. */
    @Override
    public String toString() {
        return switch (kind) {
            case ADDED -> "+ " + path;
            case REMOVED -> "- " + path;
            case CHANGED -> "~ " + path + ": " + SettingValues.display(oldValue) + " -> " + SettingValues.display(newValue);
        };
    }
}

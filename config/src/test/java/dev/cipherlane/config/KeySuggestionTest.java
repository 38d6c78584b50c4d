package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeySuggestionTest {

    private static final List<String> DATAPLANE = List.of("workers", "buffers", "ring-size", "trace", "idle");

    @Test
    void suggestsForTyposSwapsAndCase() {
        assertEquals(Optional.of("workers"), KeySuggestion.nearest("wokers", DATAPLANE));
        assertEquals(Optional.of("workers"), KeySuggestion.nearest("wrokers", DATAPLANE));
        assertEquals(Optional.of("ring-size"), KeySuggestion.nearest("ring_size", DATAPLANE));
        assertEquals(Optional.of("workers"), KeySuggestion.nearest("Workers", DATAPLANE));
    }

    @Test
    void staysQuietForUnrelatedKeys() {
        assertEquals(Optional.empty(), KeySuggestion.nearest("threads", DATAPLANE));
        assertEquals(Optional.empty(), KeySuggestion.nearest("ide", List.of("via")));
        assertEquals(Optional.empty(), KeySuggestion.nearest("x", List.of()));
    }

    @Test
    void distanceCountsATranspositionOnce() {
        assertEquals(1, KeySuggestion.distance("ab", "ba"));
        assertEquals(3, KeySuggestion.distance("kitten", "sitting"));
        assertEquals(0, KeySuggestion.distance("", ""));
    }
}

package dev.cipherlane.ipsec.crypto;

/**
 * The engine a configured {@code ipsec.engine} name resolves to, and why: what the node logs
 * once at startup and shows in {@code show sa}.
 *
 * @param engine      a concrete engine name, one of {@link AeadEngines#ENGINES}
 * @param description the engine as the operator should see it, for example
 *                    "ipsec-mb 1.3.0 (avx512, VAES)" or "jdk"
 * @param why         how it was chosen: "configured", or for {@code auto} what it found
 */
public record EngineChoice(String engine, String description, String why) {
    @Override
    public String toString() {
        return description + " (" + why + ")";
    }
}

package dev.cipherlane.chaos;

import dev.cipherlane.chaos.TunnelFlowCapture.InnerFlow;
import dev.cipherlane.chaos.TunnelFlowCapture.OuterPair;
import dev.cipherlane.ipsec.keys.SaKeys;
import dev.cipherlane.ipsec.keys.StaticKeyFile;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.testbed.BytePattern;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens the ESP packets on a wire with the lab's own key files and records, for every inner
 * flow, the (SPI, outer address pair) paths that carried it: the encrypted counterpart of
 * {@link TunnelFlowCapture}. Decryption is the JDK's AES-GCM driven here from RFC 4106, not
 * the node's ESP code: nonce = the SA's 4-byte salt then the packet's 8-byte IV (section 4),
 * AAD = SPI and 32-bit sequence number (section 5, no ESN), 16-byte ICV (section 6); the
 * plaintext ends in padding, pad length and next header (RFC 4303 section 2.4-2.6).
 *
 * <p>A packet whose ICV does not verify, whose SPI no key file names, or whose trailer makes
 * no sense is counted as rejected. Runs on the relay thread; accessors may be called from
 * the test thread.
 */
final class EspFlowCapture implements FrameObserver {
    private static final int IV = 8;
    private static final int ICV = 16;
    private static final int TRAILER = 2;
    private static final int KEY_BYTES = 32;
    private static final int KEPT_FAILURES = 10;

    /** Where an ESP packet went: its SPI and its outer source and destination. */
    record EspPath(int spi, OuterPair outer) {
        @Override
        public String toString() {
            return String.format("spi 0x%08x (%s)", spi, outer);
        }
    }

    private record Sa(SecretKeySpec key, byte[] salt) {}

    private final Map<Integer, Sa> sas;
    private final Cipher gcm;
    private final Map<InnerFlow, Set<EspPath>> flows = new HashMap<>();
    private final List<String> failures = new ArrayList<>();
    private long opened;
    private long rejected;
    private long unknownSpi;
    private long withStreamBytes;

    private EspFlowCapture(Map<Integer, Sa> sas) throws GeneralSecurityException {
        this.sas = Map.copyOf(sas);
        this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
    }

    /** A capture that knows every SA of {@code lab}, from every node's key files. */
    static EspFlowCapture of(Lab lab) throws IOException, GeneralSecurityException {
        List<StaticKeyFile> files = new ArrayList<>();
        try {
            for (LabNode n : lab.nodes()) {
                for (LabNode peer : lab.nodes()) {
                    for (int t = 0; peer != n && t < lab.spec().tunnels(); t++) {
                        StaticKeyFile f = StaticKeyFile.load(n.keyFile(peer.number(), t));
                        files.add(f);
                        if (f.esn()) {
                            throw new IllegalStateException(f + ": this capture reads 32-bit sequence numbers only");
                        }
                    }
                }
            }
            List<SaKeys> keys = new ArrayList<>();
            for (StaticKeyFile f : files) {
                keys.add(f.inbound());
                keys.add(f.outbound());
            }
            return of(keys);
        } finally {
            files.forEach(StaticKeyFile::destroy);
        }
    }

    /** A capture that knows the SAs {@code keys}. */
    static EspFlowCapture of(List<SaKeys> keys) throws GeneralSecurityException {
        Map<Integer, Sa> sas = new HashMap<>();
        for (SaKeys k : keys) {
            byte[] key = k.material().copyKey();
            try {
                sas.put(k.spi(), new Sa(new SecretKeySpec(key, 0, KEY_BYTES, "AES"), k.material().copySalt()));
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }
        return new EspFlowCapture(sas);
    }

    @Override
    public synchronized void frame(Direction direction, MemorySegment f, int length) {
        if (!EspOnWire.isIp4(f, length)) {
            return;
        }
        int esp = EspOnWire.espAt(f, length);
        if (esp < 0) {
            return;
        }
        int spi = EspOnWire.spi(f, esp);
        Sa sa = sas.get(spi);
        if (sa == null) {
            unknownSpi++;
            fail(String.format("spi 0x%08x is in no key file", spi));
            return;
        }
        int end = EspOnWire.ipEnd(f, length);
        int payload = esp + EspOnWire.ESP_HEADER + IV;
        if (end - payload < TRAILER + ICV) {
            rejected++;
            fail(String.format("spi 0x%08x: %d bytes after the IV, too short for a trailer and an ICV", spi,
                    end - payload));
            return;
        }
        byte[] nonce = new byte[sa.salt().length + IV];
        System.arraycopy(sa.salt(), 0, nonce, 0, sa.salt().length);
        MemorySegment.copy(f, ValueLayout.JAVA_BYTE, esp + EspOnWire.ESP_HEADER, nonce, sa.salt().length, IV);
        byte[] aad = f.asSlice(esp, EspOnWire.ESP_HEADER).toArray(ValueLayout.JAVA_BYTE);
        byte[] sealed = f.asSlice(payload, end - payload).toArray(ValueLayout.JAVA_BYTE);
        byte[] plain;
        try {
            gcm.init(Cipher.DECRYPT_MODE, sa.key(), new GCMParameterSpec(8 * ICV, nonce));
            gcm.updateAAD(aad);
            plain = gcm.doFinal(sealed);
        } catch (AEADBadTagException e) {
            rejected++;
            fail(String.format("spi 0x%08x sequence %d: ICV does not verify", spi, EspOnWire.sequence(f, esp)));
            return;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-GCM refused a well-formed input", e);
        }
        int padLength = plain[plain.length - 2] & 0xFF;
        int next = plain[plain.length - 1] & 0xFF;
        int inner = plain.length - TRAILER - padLength;
        MemorySegment p = MemorySegment.ofArray(plain);
        InnerFlow flow = inner < 0 ? null : switch (next) {
            case IpProtocol.IPIP4 -> TunnelFlowCapture.inner4(p, 0, inner);
            case IpProtocol.IPIP6 -> TunnelFlowCapture.inner6(p, 0, inner);
            default -> null;
        };
        if (flow == null) {
            rejected++;
            fail(String.format("spi 0x%08x: next header %d, pad length %d of %d bytes", spi, next, padLength,
                    plain.length));
            return;
        }
        opened++;
        if (BytePattern.containsRun(p, 0, inner)) {
            withStreamBytes++;
        }
        flows.computeIfAbsent(flow, k -> new HashSet<>())
                .add(new EspPath(spi, new OuterPair(EspOnWire.source(f), EspOnWire.destination(f))));
    }

    private void fail(String what) {
        if (failures.size() < KEPT_FAILURES) {
            failures.add(what);
        }
    }

    /** ESP packets whose ICV verified and whose inner packet was read. */
    synchronized long opened() {
        return opened;
    }

    /** ESP packets that did not verify or made no sense, plus those under an SPI no key file names. */
    synchronized long rejected() {
        return rejected + unknownSpi;
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Opened packets whose inner packet holds a piece of a checked stream. */
    synchronized long withStreamBytes() {
        return withStreamBytes;
    }

    /** Every inner flow opened so far and the paths that carried it, ordered for printing. */
    synchronized Map<InnerFlow, Set<EspPath>> flows() {
        Map<InnerFlow, Set<EspPath>> copy = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        flows.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
        return copy;
    }
}

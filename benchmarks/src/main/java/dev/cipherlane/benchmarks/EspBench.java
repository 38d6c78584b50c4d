package dev.cipherlane.benchmarks;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.AeadKey;
import dev.cipherlane.ipsec.crypto.IpsecMbAesGcm;
import dev.cipherlane.ipsec.esp.Esp;
import dev.cipherlane.ipsec.esp.EspDecrypt;
import dev.cipherlane.ipsec.esp.EspStageParams;
import dev.cipherlane.ipsec.esp.EspEncrypt;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * ESP on one thread, one SA: a frame of 256 packets through {@code esp-encrypt} (1420-byte
 * IPIP packets in, 1456-byte ESP packets out) or through {@code esp-decrypt} (the reverse),
 * with the ipsec-mb, the JDK and the Bouncy Castle engine, and with no cipher at all
 * ({@link NullCipher}: what ESP costs besides the cryptography); against the bare cipher work
 * sealing and opening the very same bytes of the same kind of off-heap buffers: the JDK's
 * AES-GCM ({@link Raw}) and ipsec-mb's ({@link RawIpsecMb}), so one run compares ESP on
 * ipsec-mb with ipsec-mb alone and with ESP on the JDK.
 *
 * <p>The bare baseline ({@link Raw}) is written the way the JDK is fastest and the way ESP
 * has to use it: one {@link Cipher} reused, initialised per packet with the key and a new
 * 12-byte nonce (salt and IV, RFC 4106 section 4), 8 bytes of AAD, then one
 * {@code doFinal} from one heap array into another. Heap, because the stages' JDK engine
 * stages packets through heap arrays too (its {@code Staging} says why: the JDK's combined
 * AES+GHASH intrinsic runs on arrays), so both copy the text in from the packet and the
 * result back. What the stages add on top is everything ESP is besides the cipher: SA
 * lookup, sequence number, header, trailer, checksum, replay window, counters, the frame.
 *
 * <p>Sinks put every packet back as it was so the same buffers go round again: after
 * encryption only the outer header is restored (the stage reads nothing else of an IPIP
 * packet, and the ciphertext left in place encrypts as well as plaintext); after decryption
 * the whole 1456-byte ESP packet is copied back, and {@link #rawOpen} copies it back as well,
 * so that copy is in both sides of the decrypt ratio. One operation is one packet
 * ({@code @OperationsPerInvocation(256)}), so the GC profiler's {@code gc.alloc.rate.norm}
 * is bytes allocated per packet. A run that dropped a packet, reordered one or failed a
 * cipher call is refused at tear-down. At tear-down each benchmark also prints its CPU time
 * per packet ({@link CpuPerPacket}), the steadier figure on a shared machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class EspBench {
    static final int BUFFERS = 2 * Frame.CAPACITY;

    /** The two stages, each in its own graph ending in a rewinding sink. */
    @State(Scope.Thread)
    public static class Stages {
        /** {@value NullCipher#NAME}: ESP without the cipher, see {@link NullCipher}. */
        @Param({"ipsec-mb", "jdk", "bouncycastle", NullCipher.NAME})
        public String engine;

        private PacketMemory mem;
        private BufferCache cache;
        private final int[] plain = new int[Frame.CAPACITY];
        private final int[] sealed = new int[Frame.CAPACITY];
        private SavedPackets savedPlain;
        private SavedPackets savedSealed;
        private GraphRuntime encrypt;
        private GraphRuntime decrypt;
        private int encryptSlot;
        private int decryptSlot;
        private PacketRewind encrypted;
        private PacketRewind decrypted;
        private long encryptFrames;
        private long decryptFrames;
        private CpuPerPacket cpu;

        @Setup(Level.Trial)
        public void setUp() {
            EspFixture esp = new EspFixture();
            mem = new PacketMemory(BUFFERS, 0);
            cache = mem.newCache();
            System.arraycopy(esp.ipipPackets(mem, cache, Frame.CAPACITY), 0, plain, 0, Frame.CAPACITY);
            System.arraycopy(esp.espPackets(mem, cache, Frame.CAPACITY, engines().get(0)), 0, sealed, 0,
                    Frame.CAPACITY);
            savedPlain = new SavedPackets(mem, BUFFERS, plain);
            savedSealed = new SavedPackets(mem, BUFFERS, sealed);

            encrypted = new PacketRewind("encrypted", savedPlain, 20, true, null);
            Graph e = Graph.builder()
                    .add(new EspEncrypt(new EspStageParams(esp.sas::current, engines())))
                    .add(encrypted)
                    .connect(EspEncrypt.NAME, "rewrite", encrypted.name())
                    .build();
            encrypt = new GraphRuntime(e, mem, cache, 0);
            encryptSlot = e.slot(EspEncrypt.NAME).index();

            decrypted = new PacketRewind("decrypted", savedSealed, Integer.MAX_VALUE, false, null);
            Graph d = Graph.builder()
                    .add(new EspDecrypt(new EspStageParams(esp.sas::current, engines())))
                    .add(decrypted)
                    .add(new Drop())
                    .connect(EspDecrypt.NAME, "ipip", decrypted.name())
                    .connect(EspDecrypt.NAME, "ike", Drop.NAME)
                    .build();
            decrypt = new GraphRuntime(d, mem, cache, 0);
            decryptSlot = d.slot(EspDecrypt.NAME).index();
            cpu = new CpuPerPacket(Thread.currentThread());
        }

        private List<AeadEngine> engines() {
            return engine.equals(NullCipher.NAME) ? List.of(new NullCipher()) : AeadEngines.perWorker(engine, 1);
        }

        private long packets() {
            return (encryptFrames + decryptFrames) * Frame.CAPACITY;
        }

        @Setup(Level.Iteration)
        public void iterationStart(IterationParams iteration) {
            cpu.iterationStart(iteration, packets());
        }

        @TearDown(Level.Iteration)
        public void iterationEnd() {
            cpu.iterationEnd(packets());
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams benchmark) {
            String errors = RuntimeReport.errors(List.of(encrypt, decrypt));
            if (encrypted.packets() != encryptFrames * Frame.CAPACITY
                    || decrypted.packets() != decryptFrames * Frame.CAPACITY || encrypted.outOfOrder() != 0) {
                throw new IllegalStateException("encrypted " + encrypted.packets() + " of "
                        + encryptFrames * Frame.CAPACITY + ", decrypted " + decrypted.packets() + " of "
                        + decryptFrames * Frame.CAPACITY + ", " + encrypted.outOfOrder()
                        + " out of sequence; drops:\n" + errors);
            }
            System.out.println();
            System.out.print(RuntimeReport.runtime(List.of(encryptFrames > 0 ? encrypt : decrypt)));
            System.out.print(cpu.report(benchmark.id()));
            cache.free(plain, 0, plain.length);
            cache.free(sealed, 0, sealed.length);
            cache.close();
            savedPlain.close();
            savedSealed.close();
            if (mem.inUse() != 0) {
                throw new IllegalStateException(mem.inUse() + " buffers leaked");
            }
            mem.close();
        }
    }

    /** The same AES-256-GCM work with the JDK's Cipher alone, on the same kind of buffers. */
    @State(Scope.Thread)
    public static class Raw {
        private static final int TAG_BITS = Esp.ICV * 8;
        /** From the packet's start: the SPI (AAD), the IV and the text, as esp-encrypt lays them out. */
        private static final int AAD = 20;
        private static final int IV = AAD + Esp.HEADER;
        private static final int TEXT = AAD + Esp.PAYLOAD;

        private PacketMemory mem;
        private BufferCache cache;
        private int[] packets;
        private SavedPackets saved;
        private Cipher cipher;
        private SecretKeySpec key;
        private final byte[] nonce = new byte[12];
        private final byte[] aad = new byte[Esp.HEADER];
        private final byte[] in = new byte[2048];
        private final byte[] out = new byte[2048];
        /** IVs for sealing, far above the sequence numbers the saved packets were sealed with. */
        private long iv = 1L << 40;
        private long failures;
        private long frames;
        private CpuPerPacket cpu;

        @Setup(Level.Trial)
        public void setUp() throws GeneralSecurityException {
            EspFixture esp = new EspFixture();
            mem = new PacketMemory(Frame.CAPACITY, 0);
            cache = mem.newCache();
            packets = esp.espPackets(mem, cache, Frame.CAPACITY);
            saved = new SavedPackets(mem, Frame.CAPACITY, packets);
            cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
            key = new SecretKeySpec(EspFixture.key(), "AES");
            int salt = EspFixture.salt();
            for (int i = 0; i < 4; i++) {
                nonce[i] = (byte) (salt >>> (24 - 8 * i));
            }
            cpu = new CpuPerPacket(Thread.currentThread());
        }

        @Setup(Level.Iteration)
        public void iterationStart(IterationParams iteration) {
            cpu.iterationStart(iteration, frames * Frame.CAPACITY);
        }

        @TearDown(Level.Iteration)
        public void iterationEnd() {
            cpu.iterationEnd(frames * Frame.CAPACITY);
        }

        private void nonce(long explicit) {
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (explicit >>> (56 - 8 * i));
            }
        }

        void seal(int bi) {
            MemorySegment data = mem.data();
            long at = mem.start(bi);
            nonce(++iv);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at + AAD, aad, 0, aad.length);
                cipher.updateAAD(aad, 0, aad.length);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at + TEXT, in, 0, EspFixture.TEXT_BYTES);
                int n = cipher.doFinal(in, 0, EspFixture.TEXT_BYTES, out, 0);
                MemorySegment.copy(out, 0, data, ValueLayout.JAVA_BYTE, at + TEXT, n);
            } catch (GeneralSecurityException e) {
                failures++;
            }
        }

        /** Puts the saved ESP packet back, then verifies and decrypts it in place. */
        void open(int bi) {
            saved.restore(mem, bi, Integer.MAX_VALUE);
            MemorySegment data = mem.data();
            long at = mem.start(bi);
            nonce(data.get(Net.U64, at + IV));
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at + AAD, aad, 0, aad.length);
                cipher.updateAAD(aad, 0, aad.length);
                int sealedBytes = EspFixture.TEXT_BYTES + Esp.ICV;
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at + TEXT, in, 0, sealedBytes);
                int n = cipher.doFinal(in, 0, sealedBytes, out, 0);
                MemorySegment.copy(out, 0, data, ValueLayout.JAVA_BYTE, at + TEXT, n);
            } catch (GeneralSecurityException e) {
                failures++;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams benchmark) {
            if (failures != 0) {
                throw new IllegalStateException(failures + " cipher calls failed");
            }
            System.out.println();
            System.out.print(cpu.report(benchmark.id()));
            cache.free(packets, 0, packets.length);
            cache.close();
            saved.close();
            if (mem.inUse() != 0) {
                throw new IllegalStateException(mem.inUse() + " buffers leaked");
            }
            mem.close();
        }
    }

    /**
     * The same AES-256-GCM work with the ipsec-mb engine alone: one {@code gcm256_enc} or
     * {@code gcm256_dec} downcall per packet, in place, on the key data the SA precomputed; the
     * AAD (SPI and sequence number) and IV read from the packet as esp-encrypt lays them out.
     * No heap copies, unlike {@link Raw}: that is the point of the engine.
     */
    @State(Scope.Thread)
    public static class RawIpsecMb {
        private static final int AAD = 20;
        private static final int IV = AAD + Esp.HEADER;
        private static final int TEXT = AAD + Esp.PAYLOAD;

        private PacketMemory mem;
        private BufferCache cache;
        private int[] packets;
        private SavedPackets saved;
        private AeadEngine engine;
        private AeadKey key;
        private long iv = 1L << 40;
        private long failures;
        private long frames;
        private CpuPerPacket cpu;

        @Setup(Level.Trial)
        public void setUp() {
            EspFixture esp = new EspFixture();
            mem = new PacketMemory(Frame.CAPACITY, 0);
            cache = mem.newCache();
            packets = esp.espPackets(mem, cache, Frame.CAPACITY);
            saved = new SavedPackets(mem, Frame.CAPACITY, packets);
            engine = AeadEngines.create(IpsecMbAesGcm.NAME);
            key = AeadKey.of(EspFixture.key(), EspFixture.salt());
            cpu = new CpuPerPacket(Thread.currentThread());
        }

        @Setup(Level.Iteration)
        public void iterationStart(IterationParams iteration) {
            cpu.iterationStart(iteration, frames * Frame.CAPACITY);
        }

        @TearDown(Level.Iteration)
        public void iterationEnd() {
            cpu.iterationEnd(frames * Frame.CAPACITY);
        }

        void seal(int bi) {
            MemorySegment data = mem.data();
            long at = mem.start(bi);
            if (!engine.seal(key, ++iv, data, at + AAD, Esp.HEADER, data, at + TEXT, EspFixture.TEXT_BYTES)) {
                failures++;
            }
        }

        /** Puts the saved ESP packet back, then verifies and decrypts it in place. */
        void open(int bi) {
            saved.restore(mem, bi, Integer.MAX_VALUE);
            MemorySegment data = mem.data();
            long at = mem.start(bi);
            if (!engine.open(key, data.get(Net.U64, at + IV), data, at + AAD, Esp.HEADER, data, at + TEXT,
                    EspFixture.TEXT_BYTES)) {
                failures++;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams benchmark) {
            if (failures != 0) {
                throw new IllegalStateException(failures + " cipher calls failed");
            }
            System.out.println();
            System.out.print(cpu.report(benchmark.id()));
            key.close();
            cache.free(packets, 0, packets.length);
            cache.close();
            saved.close();
            if (mem.inUse() != 0) {
                throw new IllegalStateException(mem.inUse() + " buffers leaked");
            }
            mem.close();
        }
    }

    /** IPIP in, ESP out: {@code esp-encrypt}, then the outer header is put back. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void espEncrypt(Stages s) {
        s.encrypt.inject(s.encryptSlot, s.plain, 0, Frame.CAPACITY);
        s.encrypt.dispatch();
        s.encryptFrames++;
    }

    /** ESP in, IPIP out: {@code esp-decrypt}, then the ESP packet is copied back. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void espDecrypt(Stages s) {
        s.decrypt.inject(s.decryptSlot, s.sealed, 0, Frame.CAPACITY);
        s.decrypt.dispatch();
        s.decryptFrames++;
    }

    /** AES-256-GCM seal of each packet's 1404-byte ESP payload, the JDK alone. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void rawSeal(Raw r) {
        for (int bi : r.packets) {
            r.seal(bi);
        }
        r.frames++;
    }

    /** The ESP packet copied back, then AES-256-GCM open of its payload, the JDK alone. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void rawOpen(Raw r) {
        for (int bi : r.packets) {
            r.open(bi);
        }
        r.frames++;
    }

    /** AES-256-GCM seal of each packet's 1404-byte ESP payload, the ipsec-mb engine alone. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void rawIpsecMbSeal(RawIpsecMb r) {
        for (int bi : r.packets) {
            r.seal(bi);
        }
        r.frames++;
    }

    /** The ESP packet copied back, then AES-256-GCM open of its payload, the ipsec-mb engine alone. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void rawIpsecMbOpen(RawIpsecMb r) {
        for (int bi : r.packets) {
            r.open(bi);
        }
        r.frames++;
    }
}

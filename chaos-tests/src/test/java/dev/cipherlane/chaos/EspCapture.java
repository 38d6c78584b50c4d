package dev.cipherlane.chaos;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the ESP frames crossing the relay one way, as they were on the wire, and writes
 * them as a pcap file (libpcap format 2.4, Ethernet link type) for a tool to send again:
 * what an attacker who recorded the wire could replay. Runs on the relay thread; the
 * accessors may be called from the test thread.
 */
final class EspCapture implements FrameObserver {
    private static final int PCAP_MAGIC = 0xA1B2C3D4;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 65535;

    private final Direction direction;
    private final int limit;
    private final List<byte[]> frames = new ArrayList<>();

    /** Up to {@code limit} ESP frames going {@code direction}. */
    EspCapture(Direction direction, int limit) {
        this.direction = direction;
        this.limit = limit;
    }

    @Override
    public synchronized void frame(Direction d, MemorySegment f, int length) {
        if (d != direction || frames.size() >= limit || !EspOnWire.isIp4(f, length) || EspOnWire.espAt(f, length) < 0) {
            return;
        }
        frames.add(f.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }

    synchronized int size() {
        return frames.size();
    }

    /** Writes the frames kept so far to {@code file}; returns how many. */
    synchronized int writePcap(Path file) throws IOException {
        int bytes = 24;
        for (byte[] f : frames) {
            bytes += 16 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(PCAP_MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(LINKTYPE_ETHERNET);
        int i = 0;
        for (byte[] f : frames) {
            b.putInt(i / 1000).putInt(i % 1000).putInt(f.length).putInt(f.length).put(f);
            i++;
        }
        Files.write(file, b.array());
        return frames.size();
    }
}

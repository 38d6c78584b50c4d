package dev.cipherlane.avf.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Register offsets and descriptor layouts against the specification's tables. No C header
 * for AVF is installed here (virtchnl.h and iavf's register headers ship with driver
 * sources, not with the uapi headers), so the expected values are written out from the
 * spec: registers from the VF register tables, the admin descriptor from the mailbox
 * chapter, rx from §2.1.2.1.2 and §2.1.2.2.2 (pg12, pg16), tx from §2.2.2.2 (pg22).
 */
class LayoutTest {

    @Test
    void registerOffsetsAreTheSpecs() {
        assertEquals(0x0000_8800, Registers.VFGEN_RSTAT);
        assertEquals(0x0000_7C00, Registers.VF_ATQBAL);
        assertEquals(0x0000_7800, Registers.VF_ATQBAH);
        assertEquals(0x0000_6800, Registers.VF_ATQLEN);
        assertEquals(0x0000_6400, Registers.VF_ATQH);
        assertEquals(0x0000_8400, Registers.VF_ATQT);
        assertEquals(0x0000_6C00, Registers.VF_ARQBAL);
        assertEquals(0x0000_6000, Registers.VF_ARQBAH);
        assertEquals(0x0000_8000, Registers.VF_ARQLEN);
        assertEquals(0x0000_7400, Registers.VF_ARQH);
        assertEquals(0x0000_7000, Registers.VF_ARQT);
        assertEquals(0x0000_0000 + 4 * 3, Registers.qtxTail(3));
        assertEquals(0x0000_2000 + 4 * 5, Registers.qrxTail(5));
        assertEquals(0x8000_0000, Registers.LEN_ENABLE);
        assertEquals(0x3FF, Registers.LEN_MASK);
        assertEquals(0, Registers.VFR_INPROGRESS);
        assertEquals(1, Registers.VFR_COMPLETED);
        assertEquals(2, Registers.VFR_VFACTIVE);
        assertFalse(Registers.resetDone(Registers.VFR_INPROGRESS));
        assertTrue(Registers.resetDone(Registers.VFR_COMPLETED));
        assertTrue(Registers.resetDone(Registers.VFR_VFACTIVE | 0xFFFF_FFFC));
    }

    @Test
    void adminDescriptorFieldsSitWhereTheSpecPutsThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(2 * AdminDescriptor.SIZE);
            int i = 1;
            AdminDescriptor.flags(ring, i, AdminDescriptor.FLAG_DD | AdminDescriptor.FLAG_BUF);
            AdminDescriptor.opcode(ring, i, AdminDescriptor.OPC_SEND_TO_PF);
            AdminDescriptor.datalen(ring, i, 0x1234);
            AdminDescriptor.retval(ring, i, 0x5678);
            AdminDescriptor.virtchnlOpcode(ring, i, 6);
            AdminDescriptor.virtchnlRetval(ring, i, -5);
            AdminDescriptor.bufferAddress(ring, i, 0x1_2345_6789_ABCDL);
            long base = AdminDescriptor.SIZE;
            assertEquals(32, AdminDescriptor.SIZE);
            assertEquals(0x1001, u16(ring, base));
            assertEquals(0x0801, u16(ring, base + 2));
            assertEquals(0x1234, u16(ring, base + 4));
            assertEquals(0x5678, u16(ring, base + 6));
            assertEquals(6, u32(ring, base + 8), "cookie high: virtchnl opcode");
            assertEquals(-5, u32(ring, base + 12), "cookie low: virtchnl status");
            assertEquals(0x1_2345, u32(ring, base + 24), "address high word");
            assertEquals(0x6789_ABCD, u32(ring, base + 28), "address low word");
            assertEquals(0x1_2345_6789_ABCDL, AdminDescriptor.bufferAddress(ring, i));
            assertEquals(0, u32(ring, 0), "descriptor 0 untouched");
        }
        assertEquals(0x0001, AdminDescriptor.FLAG_DD);
        assertEquals(0x0002, AdminDescriptor.FLAG_CMP);
        assertEquals(0x0004, AdminDescriptor.FLAG_ERR);
        assertEquals(0x0200, AdminDescriptor.FLAG_LB);
        assertEquals(0x0400, AdminDescriptor.FLAG_RD);
        assertEquals(0x1000, AdminDescriptor.FLAG_BUF);
        assertEquals(0x0802, AdminDescriptor.OPC_MESSAGE_FROM_PF);
    }

    @Test
    void rxDescriptorWriteBackBitsAreTheSpecs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(2 * RxDescriptor.SIZE);
            RxDescriptor.post(ring, 1, 0xABCD_0000L);
            assertEquals(0xABCD_0000L, ring.get(ValueLayout.JAVA_LONG_UNALIGNED, 32), "read format: packet address first");
            long status = RxDescriptor.status(1500, true, true) | RxDescriptor.ERROR_RXE;
            RxDescriptor.writeBack(ring, 1, 0xDEAD_BEEF, status);
            long q1 = ring.get(ValueLayout.JAVA_LONG_UNALIGNED, 32 + 8);
            assertEquals(1, q1 & 1, "DD is bit 0");
            assertEquals(1, q1 >>> 1 & 1, "EOP is bit 1");
            assertEquals(3, q1 >>> 12 & 3, "FLTSTAT says RSS hash");
            assertEquals(1, q1 >>> 19 & 1, "RXE is error bit 0, bit 19");
            assertEquals(1500, q1 >>> 38 & 0x3FFF, "packet length is bits 38..51");
            assertEquals(0xDEAD_BEEF, u32(ring, 32 + 4), "RSS hash in the high dword of qword 0");
            assertEquals(1500, RxDescriptor.length(RxDescriptor.qword1(ring, 1)));
            assertTrue(RxDescriptor.rssValid(q1));
            RxDescriptor.post(ring, 1, 0xABCD_0000L);
            assertFalse(RxDescriptor.done(RxDescriptor.qword1(ring, 1)), "reposting clears DD");
        }
        assertEquals(32, RxDescriptor.SIZE);
        assertEquals(1L << 25, RxDescriptor.ERROR_OVERSIZE);
    }

    @Test
    void txDescriptorBitsAreTheSpecs() {
        long q = TxDescriptor.data(1514, TxDescriptor.CMD_EOP | TxDescriptor.CMD_RS | TxDescriptor.CMD_ICRC);
        assertEquals(0, q & 0xF, "DTYPE data");
        assertEquals(0x1 | 0x2 | 0x4, q >>> 4 & 0x3FF, "CMD: EOP, RS, ICRC");
        assertEquals(1514, q >>> 34 & 0x3FFF, "buffer size is bits 34..47");
        assertEquals(0xF, TxDescriptor.DTYPE_DESC_DONE);
        assertEquals(16, TxDescriptor.SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(2 * TxDescriptor.SIZE);
            TxDescriptor.write(ring, 1, 0x55_0000L, q);
            assertEquals(0x55_0000L, ring.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
            assertEquals(q, ring.get(ValueLayout.JAVA_LONG_UNALIGNED, 24));
            assertFalse(TxDescriptor.done(ring, 1));
            TxDescriptor.qword1(ring, 1, TxDescriptor.DTYPE_DESC_DONE);
            assertTrue(TxDescriptor.done(ring, 1));
        }
    }

    private static int u16(MemorySegment s, long at) {
        return Le.u16(s, at);
    }

    private static int u32(MemorySegment s, long at) {
        return Le.u32(s, at);
    }
}

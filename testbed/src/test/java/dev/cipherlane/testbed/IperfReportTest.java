package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * iperf3's -J report is read for the received sum and the retransmissions, also with the
 * keys iperf3 3.12 repeats when it runs several flows; its errors are kept.
 */
class IperfReportTest {
    @Test
    void sumsAreRead() throws Exception {
        String json = """
                warning: something iperf3 printed first
                {"start": {"connected": [], "sock_bufsize": 0, "sock_bufsize": 0},
                 "end": {"sum_sent": {"bytes": 1000, "retransmits": 7},
                         "sum_received": {"bytes": 990, "bits_per_second": 2.5e9}}}
                """;
        Iperf.Report r = Iperf.parse(4, json);
        assertNull(r.error());
        assertEquals(4, r.flows());
        assertEquals(1000, r.bytesSent());
        assertEquals(990, r.bytesReceived());
        assertEquals(2.5, r.gbitPerSecond(), 1e-9);
        assertEquals(7, r.retransmits());
    }

    @Test
    void iperfsOwnErrorIsKeptAndGarbageIsAFailure() throws Exception {
        assertEquals("unable to connect to server: Connection refused",
                Iperf.parse(1, "{\"start\": {}, \"error\": \"unable to connect to server: Connection refused\"}")
                        .error());
        assertThrows(IOException.class, () -> Iperf.parse(1, "iperf3: command not found"));
    }
}

package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.IpAddr;
import org.junit.jupiter.api.Test;

/** The addresses of /proc/net/tcp{,6} rows: the kernel prints each 32-bit word of the address in host order. */
class ProcFdsTest {
    @Test
    void ipv4AndIpv6RowsParse() {
        long[] v4 = ProcFds.address("0100007F:1F90", false);
        assertThat(IpAddr.format(v4[0], v4[1])).isEqualTo("127.0.0.1");
        assertThat(v4[2]).isEqualTo(8080);
        long[] lo6 = ProcFds.address("00000000000000000000000001000000:0016", true);
        assertThat(IpAddr.format(lo6[0], lo6[1])).isEqualTo("::1");
        assertThat(lo6[2]).isEqualTo(22);
        long[] mapped = ProcFds.address("0000000000000000FFFF00000100007F:0050", true);
        assertThat(IpAddr.isV4(mapped[0], mapped[1])).isTrue();
        assertThat(IpAddr.format(mapped[0], mapped[1])).isEqualTo("127.0.0.1");
        long[] doc = ProcFds.address("B80D0120000000000000000001000000:01BB", true);
        assertThat(IpAddr.format(doc[0], doc[1])).isEqualTo("2001:db8::1");
        assertThat(ProcFds.address("zz:1", false)).isNull();
        assertThat(ProcFds.address("0100007F", false)).isNull();
    }
}

package dev.vigil.tools.bindsnoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Binds on loopback in this JVM, seen with their result, protocol, options, port and address. */
class BindSnoopTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void bindsOnLoopbackWithOptionsResultAndPortFilter() throws Exception {
        KernelTests.assumeKernel();
        ToolFilters mine = ToolFilters.NONE.withPid(SELF);
        try (ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
                ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            // a port for the filtered binds, free now: learnt from a bind the tools do not see
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            probe.close();
            var all = new Collector<>(BindSnoop.start(BindSnoop.Options.defaults().withFilters(mine)), BindSnoop.Event::decode);
            var failedOnPort = new Collector<>(BindSnoop.start(BindSnoop.Options.defaults().withFilters(mine).withFailed(true)
                    .withPorts(List.of(port))), BindSnoop.Event::decode);
            try (all; failedOnPort) {
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // and listens
                try (DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
                        ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6);
                        ServerSocketChannel clash = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                    udp.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                    udp.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
                    assertThatThrownBy(() -> clash.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                            .isInstanceOf(IOException.class); // EADDRINUSE: tcp listens there

                    BindSnoop.Event t = all.await(e -> e.proto() == 6 && e.port() == port);
                    assertThat(t.ret()).isZero();
                    assertThat(t.protoName()).isEqualTo("TCP");
                    assertThat(t.addr()).isEqualTo("127.0.0.1");
                    assertThat(t.ver()).isEqualTo(4);
                    assertThat(t.optsColumn()).isEqualTo("...R.");
                    assertThat(t.boundDevIf()).isZero();
                    assertThat(t.pid()).isEqualTo(SELF);

                    BindSnoop.Event u = all.await(e -> e.proto() == 17 && e.port() == 0);
                    assertThat(u.protoName()).isEqualTo("UDP");
                    assertThat(u.optsColumn()).isEqualTo("....r");
                    assertThat(u.addr()).isEqualTo("127.0.0.1");

                    BindSnoop.Event six = all.await(e -> e.ver() == 6);
                    assertThat(six.addr()).isEqualTo("::1");
                    assertThat(six.protoName()).isEqualTo("TCP");

                    // -x -P PORT: the successful and the failed bind on PORT; nothing on other ports
                    BindSnoop.Event failed = failedOnPort.await(e -> e.ret() != 0);
                    assertThat(failed.ret()).isEqualTo(-98); // EADDRINUSE
                    assertThat(failed.port()).isEqualTo(port);
                    failedOnPort.await(e -> e.ret() == 0 && e.port() == port);
                }
            }
            // after the drain: without -x no failed bind; with -P only PORT
            assertThat(all.events()).allMatch(e -> e.ret() == 0).allMatch(e -> e.pid() == SELF);
            assertThat(failedOnPort.events()).allMatch(e -> e.port() == port).hasSize(2);
        }
    }

    @Test
    void addressesPrintAsInetNtopWritesThem() {
        assertThat(ntop(6, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})).isEqualTo("::1");
        assertThat(ntop(6, new byte[16])).isEqualTo("::");
        assertThat(ntop(6, new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})).isEqualTo("fe80::1");
        assertThat(ntop(6, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1})).isEqualTo("::ffff:127.0.0.1");
        assertThat(ntop(6, new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2})).isEqualTo("2001:db8:0:1::2");
        assertThat(ntop(4, new byte[] {(byte) 203, 0, 113, 7})).isEqualTo("203.0.113.7");
    }

    private static String ntop(int ver, byte[] b) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(16);
            MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            return BindSnoop.ntop(ver, m, 0);
        }
    }
}

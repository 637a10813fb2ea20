package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kernel's reset for a connection attempt to a closed port: an event no syscall shows, with no process. */
class SensorTcpResetTest {
    @Test
    void aConnectToAClosedPortGivesAResetEventNamingThePortAndTheSender() throws Exception {
        KernelTests.assumeKernel();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        try (Sensor sensor = Sensor.start(Selection.of(EventType.TCP_SEND_RESET), Sensor.Options.defaults().withSeed(false))) {
            assertThatThrownBy(() -> {
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                }
            }).isInstanceOf(ConnectException.class);
            List<Event> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Event reset = null;
            while (reset == null && System.nanoTime() < deadline) {
                sensor.pollOnce(10, ev -> seen.add(ev.snapshot()));
                reset = seen.stream().filter(e -> e.fd() != null && e.fd().serverPort() == port).findFirst().orElse(null);
            }
            assertThat(reset).as("a reset for port %d among %s", port, seen).isNotNull();
            assertThat(reset.type()).isEqualTo(EventType.TCP_SEND_RESET);
            assertThat(reset.process()).isNull();
            assertThat(reset.fd().type()).isEqualTo(FdType.IPV4);
            assertThat(reset.fd().name().toString()).startsWith("127.0.0.1:").endsWith("->127.0.0.1:" + port);
            assertThat(reset.argLong(EventType.TCP_SEND_RESET.slotOf("reason"))).isEqualTo(1); // NO_SOCKET
            assertThat(seen).allMatch(e -> e.type() == EventType.TCP_SEND_RESET);
        }
    }
}

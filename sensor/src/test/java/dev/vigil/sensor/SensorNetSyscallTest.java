package dev.vigil.sensor;

import static dev.vigil.sensor.SensorHarness.is;
import static dev.vigil.sensor.SensorHarness.run;
import static dev.vigil.sensor.SensorProcessSyscallTest.nums;
import static dev.vigil.sensor.SensorSyscallTest.arg;
import static dev.vigil.sensor.SensorSyscallTest.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Socket syscalls of a real child over IPv4, IPv6 and Unix sockets: socket, bind (and EADDRINUSE), listen,
 * connect, accept, accept4, close of an accepted socket, and datagrams sent and received with a named
 * address (sendto, recvfrom, sendmsg, recvmsg), whose tuple must name the other end.
 */
class SensorNetSyscallTest extends SharedSensorTest {

    /** "127.0.0.1:P", "::1:P" or the unix path for a port or path. */
    static String addr(String fam, int port, String path) {
        return switch (fam) {
            case "4" -> "127.0.0.1:" + port;
            case "6" -> "::1:" + port;
            default -> path;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"4", "6", "unix"})
    void streamAndDatagramSyscalls(String fam) throws Exception {
        Path base = Files.createDirectories(dir.resolve("net" + fam));
        var r = run("net", fam, base.toString());
        // srv b l port srv2 b2 b2e c1 cc1 a1 c2 cc2 a2 cl u v uport vport st rf sm rv
        long[] o = nums(r, 0);
        long srv = o[0], c1 = o[7], a1 = o[9], a2 = o[12], u = o[14], v = o[15];
        int port = (int) o[3], uport = (int) o[16], vport = (int) o[17];
        String stream = base.resolve("stream.sock").toString();
        String ua = addr(fam, uport, base.resolve("dgram-a.sock").toString());
        String va = addr(fam, vport, base.resolve("dgram-b.sock").toString());
        String server = addr(fam, port, stream);
        int domain = fam.equals("4") ? 2 : fam.equals("6") ? 10 : 1;
        FdType type = fam.equals("4") ? FdType.IPV4 : fam.equals("6") ? FdType.IPV6 : FdType.UNIX;
        assertThat(o[6]).as("second bind: EADDRINUSE").isEqualTo(98);

        Event sock = h.await(ev -> is(ev, EventType.SOCKET, r.pid()) && ev.rawRes() == srv);
        assertThat(arg(sock, "domain")).isEqualTo(domain);
        assertThat(arg(sock, "type")).isEqualTo(1); // SOCK_STREAM
        assertThat(sock.fd().type()).isEqualTo(type);

        Event bind = h.await(ev -> is(ev, EventType.BIND, r.pid()) && arg(ev, "fd") == srv);
        assertThat(bind.rawRes()).isZero();
        assertThat(str(bind, "addr")).isEqualTo(addr(fam, 0, stream)); // port 0 as passed: the kernel picks
        Event inUse = h.await(ev -> is(ev, EventType.BIND, r.pid()) && ev.rawRes() < 0);
        assertThat(inUse.rawRes()).isEqualTo(-98);
        assertThat(arg(inUse, "fd")).isEqualTo(o[4]);
        assertThat(str(inUse, "addr")).isEqualTo(server);

        Event listen = h.await(ev -> is(ev, EventType.LISTEN, r.pid()));
        assertThat(arg(listen, "fd")).isEqualTo(srv);
        assertThat(arg(listen, "backlog")).isEqualTo(7);
        assertThat(listen.rawRes()).isZero();

        Event conn = h.await(ev -> is(ev, EventType.CONNECT, r.pid()) && arg(ev, "fd") == c1);
        assertThat(conn.rawRes()).isZero();
        assertThat(str(conn, "addr")).isEqualTo(server);
        if (type == FdType.UNIX) assertThat(conn.fd().name().toString()).isEqualTo(stream);
        else assertThat(conn.fd().name().toString()).endsWith("->" + server);

        Event acc = h.await(ev -> is(ev, EventType.ACCEPT, r.pid()));
        assertThat(acc.rawRes()).isEqualTo(a1);
        assertThat(acc.fd().type()).isEqualTo(type);
        if (type == FdType.UNIX) assertThat(acc.fd().name().toString()).isEqualTo(stream);
        else assertThat(str(acc, "tuple")).endsWith("->" + server);
        String accepted = acc.fd().name().toString();
        Event acc4 = h.await(ev -> is(ev, EventType.ACCEPT4, r.pid()));
        assertThat(acc4.rawRes()).isEqualTo(a2);
        assertThat(arg(acc4, "flags")).isEqualTo(02000000); // SOCK_CLOEXEC
        if (type != FdType.UNIX) assertThat(str(acc4, "tuple")).endsWith("->" + server);

        // after the accept: jspawnhelper, before it execs the helper in the same pid, closes fds too
        Event close = h.await(ev -> is(ev, EventType.CLOSE, r.pid()) && arg(ev, "fd") == a1 && ev.num() > acc.num());
        assertThat(close.rawRes()).isZero();
        assertThat(close.fd().type()).isEqualTo(type);
        assertThat(close.fd().name().toString()).isEqualTo(accepted);

        // datagrams with a named address: the tuple names both ends (sender->receiver), the socket not being connected
        Event st = h.await(ev -> is(ev, EventType.SENDTO, r.pid()) && arg(ev, "fd") == u);
        assertThat(st.rawRes()).isEqualTo(4);
        assertThat(arg(st, "size")).isEqualTo(4);
        Event rf = h.await(ev -> is(ev, EventType.RECVFROM, r.pid()) && arg(ev, "fd") == v);
        assertThat(rf.rawRes()).isEqualTo(4);
        assertThat(arg(rf, "size")).isEqualTo(64);
        Event sm = h.await(ev -> is(ev, EventType.SENDMSG, r.pid()) && arg(ev, "fd") == v);
        assertThat(sm.rawRes()).isEqualTo(5);
        Event rv = h.await(ev -> is(ev, EventType.RECVMSG, r.pid()) && arg(ev, "fd") == u);
        assertThat(rv.rawRes()).isEqualTo(5);
        if (type == FdType.UNIX) {
            // a unix tuple is the other end's path
            assertThat(str(st, "tuple")).isEqualTo(base.resolve("dgram-b.sock").toString());
            assertThat(str(rf, "tuple")).isEqualTo(base.resolve("dgram-a.sock").toString());
            assertThat(str(sm, "tuple")).isEqualTo(base.resolve("dgram-a.sock").toString());
            assertThat(str(rv, "tuple")).isEqualTo(base.resolve("dgram-b.sock").toString());
        } else {
            assertThat(str(st, "tuple")).isEqualTo(ua + "->" + va);
            assertThat(str(rf, "tuple")).isEqualTo(ua + "->" + va);
            assertThat(str(sm, "tuple")).isEqualTo(va + "->" + ua);
            assertThat(str(rv, "tuple")).isEqualTo(va + "->" + ua);
            assertThat(st.fd().name().toString()).isEqualTo(ua + "->" + va);
        }
    }
}

package dev.vigil.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventModelTest {
    @Test
    void eventTypesHaveFalcoNamesAndParameters() {
        assertThat(EventType.byName("openat")).isEqualTo(EventType.OPENAT);
        assertThat(EventType.byName("nope")).isNull();
        assertThat(EventType.OPENAT.slotOf("flags")).isGreaterThanOrEqualTo(0);
        assertThat(EventType.OPENAT.param(EventType.OPENAT.slotOf("flags")).flags()).isSameAs(FlagSet.OPEN);
        assertThat(EventType.CHMOD.param(EventType.CHMOD.slotOf("mode")).flags()).isSameAs(FlagSet.MODE);
        for (EventType t : EventType.values()) assertThat(EventType.byId(t.id())).isSameAs(t);
    }

    @Test
    void flagsRenderLikeFalco() {
        assertThat(FlagSet.OPEN.render(01 | 0100 | 01000)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC");
        assertThat(FlagSet.OPEN.render(0)).isEqualTo("O_RDONLY");
        assertThat(FlagSet.PTRACE_REQUEST.render(16)).isEqualTo("PTRACE_ATTACH");
        assertThat(FlagSet.PTRACE_REQUEST.render(999)).isEqualTo("999");
        assertThat(FlagSet.MODE.render(04755)).isEqualTo("S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID");
    }

    @Test
    void errno() {
        assertThat(Errno.resString(0)).isEqualTo("SUCCESS");
        assertThat(Errno.resString(-2)).isEqualTo("ENOENT");
        assertThat(Errno.resString(-115)).isEqualTo("EINPROGRESS");
        assertThat(Errno.resString(-9999)).isNull();
        assertThat(Errno.byName("EACCES")).isEqualTo(13);
    }

    @Test
    void ipAddresses() {
        long[] v4 = IpAddr.parse("192.168.1.20");
        assertThat(IpAddr.isV4(v4[0], v4[1])).isTrue();
        assertThat(IpAddr.format(v4[0], v4[1])).isEqualTo("192.168.1.20");
        long[] v6 = IpAddr.parse("2001:db8::1");
        assertThat(IpAddr.format(v6[0], v6[1])).isEqualTo("2001:db8::1");
        assertThat(IpAddr.parse("::ffff:10.0.0.1")).containsExactly(IpAddr.parse("10.0.0.1"));
        assertThat(IpAddr.parse("300.1.1.1")).isNull();
        assertThat(IpAddr.parse("1:2:3")).isNull();
        long[] net = IpAddr.parse("10.0.0.0");
        assertThat(IpAddr.inNet(IpAddr.parse("10.200.3.4")[0], IpAddr.parse("10.200.3.4")[1], net[0], net[1], 96 + 8)).isTrue();
        assertThat(IpAddr.inNet(v4[0], v4[1], net[0], net[1], 96 + 8)).isFalse();
    }

    @Test
    void buildersDeriveWhatFalcoDerives() {
        Process parent = Process.builder().pid(1).name("systemd").build();
        Process p = Process.builder().pid(10).name("bash").argv("/bin/bash", "-c", "id").parent(parent).env("HOME=/root").build();
        assertThat(p.exe().toString()).isEqualTo("/bin/bash");
        assertThat(p.args().toString()).isEqualTo("-c id");
        assertThat(p.cmdline().toString()).isEqualTo("bash -c id");
        assertThat(p.ppid()).isEqualTo(1);
        assertThat(p.env().toString()).isEqualTo("HOME=/root");
        Fd f = Fd.file(3, "/etc/ssh/sshd_config");
        assertThat(f.directory().toString()).isEqualTo("/etc/ssh");
        assertThat(f.filename().toString()).isEqualTo("sshd_config");
        assertThat(Fd.file(3, "/x").directory().toString()).isEqualTo("/");
        Fd s = Fd.tcp4(4, "10.0.0.1", 1234, "1.1.1.1", 443);
        assertThat(s.name().toString()).isEqualTo("10.0.0.1:1234->1.1.1.1:443");
        assertThat(s.type()).isEqualTo(FdType.IPV4);
        Container c = Container.builder().id("abc").image("registry:5000/team/app:1.0").build();
        assertThat(c.imageRepository().toString()).isEqualTo("registry:5000/team/app");
        assertThat(c.imageTag().toString()).isEqualTo("1.0");
        assertThat(Container.builder().id("x").image("alpine").build().imageTag().toString()).isEqualTo("latest");
        assertThat(Container.HOST.isHost()).isTrue();
        Event e = Event.builder(EventType.OPENAT).res(3).arg("name", "/x").flags("flags", "O_WRONLY", "O_TRUNC").build();
        assertThat(e.argLong(EventType.OPENAT.slotOf("fd"))).isEqualTo(3);
        assertThat(e.argLong(EventType.OPENAT.slotOf("flags"))).isEqualTo(01 | 01000);
        assertThat(e.argLong(EventType.OPENAT.slotOf("mode"))).isEqualTo(EventView.ABSENT);
        assertThat(e.argStr(EventType.OPENAT.slotOf("name")).toString()).isEqualTo("/x");
        assertThatThrownBy(() -> Event.builder(EventType.OPENAT).arg("nope", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

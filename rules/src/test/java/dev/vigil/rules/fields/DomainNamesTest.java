package dev.vigil.rules.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.events.IpAddr;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names in conditions resolve through the system's resolver, and a name that starts to resolve is seen at the next refresh. */
class DomainNamesTest {
    static final Path HOSTS = Path.of("/etc/hosts");

    @Test
    void localhostResolvesToLoopback() {
        long[] a = SystemResolver.resolve("localhost");
        assertThat(a.length).isEven().isPositive();
        boolean v4 = false;
        for (int i = 0; i < a.length; i += 2) v4 |= a[i] == 0 && a[i + 1] == IpAddr.v4Lo(0x7f000001);
        assertThat(v4).as(IpAddr.format(a[0], a[1])).isTrue();
        assertThat(SystemResolver.resolve("no-such-name.invalid")).isEmpty();
    }

    @Test
    void aNameAddedToTheHostsFileIsSeenAtTheNextRefreshAfterAFailedLookup() throws Exception {
        assumeTrue(Files.isWritable(HOSTS), "needs root to write /etc/hosts");
        // the JVM's lookup cache policy is fixed by its first lookup of any name: make one, as an agent would have
        InetAddress.getAllByName("localhost");
        String name = "vigil-domain-names-test-" + ProcessHandle.current().pid() + ".example";
        String before = Files.readString(HOSTS);
        try {
            DomainNames.Match m = DomainNames.shared().match(List.of(name));
            long[] ip = IpAddr.parse("203.0.113.91");
            assertThat(m.test(ip[0], ip[1])).as("not in /etc/hosts yet").isFalse();
            Files.writeString(HOSTS, before + (before.isEmpty() || before.endsWith("\n") ? "" : "\n") + "203.0.113.91 " + name + "\n");
            DomainNames.shared().refresh();
            assertThat(m.test(ip[0], ip[1])).as("after the refresh that follows the hosts line").isTrue();
            assertThat(DomainNames.shared().nameOf(ip[0], ip[1])).isEqualTo(name);
        } finally {
            Files.writeString(HOSTS, before);
        }
    }
}

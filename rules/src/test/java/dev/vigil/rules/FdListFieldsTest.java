package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.cond;
import static dev.vigil.rules.Fixtures.ev;
import static dev.vigil.rules.Fixtures.proc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import org.junit.jupiter.api.Test;

/** fdlist.* over a poll's fd array, as libsinsp renders them: comma-separated, IP values only for IP sockets. */
class FdListFieldsTest {
    private static Event poll() {
        FdView sock = Fd.tcp4(3, "127.0.0.1", 40000, "127.0.0.1", 5432);
        FdView pipe = Fd.builder().num(4).type(FdType.PIPE).name("pipe:[123]").build();
        return ev(EventType.POLL, proc("psql")).res(2).arg("fds", "3:44 4:p1 9:?1")
                .fdList(new long[] {3, 4, 9}, new FdView[] {sock, pipe, null}).build();
    }

    @Test
    void eachFieldListsTheFdsItApplies() {
        Event e = poll();
        assertThat(cond("fdlist.nums = \"3,4,9\"", e)).isTrue();
        assertThat(cond("fdlist.names = \"127.0.0.1:40000->127.0.0.1:5432,pipe:[123],<NA>\"", e)).isTrue();
        assertThat(cond("fdlist.cips = 127.0.0.1", e)).isTrue();
        assertThat(cond("fdlist.sips = 127.0.0.1", e)).isTrue();
        assertThat(cond("fdlist.cports = 40000", e)).isTrue();
        assertThat(cond("fdlist.sports = 5432", e)).isTrue();
        assertThat(cond("fdlist.names contains pipe", e)).isTrue();
    }

    @Test
    void otherEventsHaveNoFdList() {
        Event open = ev(EventType.OPENAT, proc("cat")).res(3).arg("name", "/etc/passwd").fd(Fd.file(3, "/etc/passwd")).build();
        assertThat(cond("fdlist.names exists", open)).isFalse();
        assertThat(cond("fdlist.names exists", poll())).isTrue();
        Event pipesOnly = ev(EventType.PPOLL, proc("sleep")).res(1)
                .fdList(new long[] {4}, new FdView[] {Fd.builder().num(4).type(FdType.PIPE).name("pipe:[5]").build()}).build();
        assertThat(cond("fdlist.sports exists", pipesOnly)).isFalse(); // no IP socket: no port to list
    }
}

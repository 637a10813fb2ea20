package dev.vigil.sensor;

import dev.vigil.events.Fd;
import dev.vigil.events.Process;
import dev.vigil.events.ProcessView;

/** Immutable copies of table entries (for events kept past their callback, and capture files). */
final class Snapshots {
    private Snapshots() {}

    static Process process(ProcessView p) {
        return process(p, 0);
    }

    private static Process process(ProcessView p, int depth) {
        Process.Builder b = Process.builder();
        b.pid(p.pid()).tid(p.tid()).ppid(p.ppid()).pgid(p.pgid()).sid(p.sid()).vpid(p.vpid());
        if (p.name() != null) b.name(p.name().toString());
        if (p.exePath() != null) b.exePath(p.exePath().toString());
        if (p.cwd() != null) b.cwd(p.cwd().toString());
        if (p instanceof ProcessEntry e) b.argv(e.argv().toArray(String[]::new));
        b.tty(p.tty()).loginUid(p.loginUid()).uid(p.uid()).gid(p.gid()).euid(p.euid()).egid(p.egid());
        if (p.userName() != null) b.userName(p.userName().toString());
        if (p.groupName() != null) b.groupName(p.groupName().toString());
        b.startTs(p.startTs()).capEffective(p.capEffective()).capPermitted(p.capPermitted())
                .capInheritable(p.capInheritable()).exeFromMemfd(p.exeFromMemfd());
        ProcessView parent = p.parent();
        if (parent != null && depth < 32) b.parent(process(parent, depth + 1));
        return b.build();
    }

    static Fd fd(FdEntry e) {
        Fd.Builder b = Fd.builder().num(e.num).type(e.type).l4proto(e.l4proto).role(e.role).connected(e.connected);
        if (e.hasTuple) {
            b.ip(dev.vigil.events.IpAddr.format(e.cipHi, e.cipLo), e.cport, dev.vigil.events.IpAddr.format(e.sipHi, e.sipLo), e.sport);
        } else if (e.name != null) {
            b.name(e.name);
        }
        if (e.nameRaw != null) b.nameRaw(e.nameRaw);
        return b.build();
    }
}

package dev.vigil.events;

import java.util.ArrayList;
import java.util.List;

/** An immutable {@link ProcessView}; build with {@link #builder()}. Derived strings are computed once. */
public final class Process implements ProcessView {
    private final long pid, tid, ppid, vpid, vtid, pgid, vpgid, sid;
    private final String name, exe, exePath, args, cmdline, cwd;
    private final long tty, loginUid, uid, gid, euid, egid;
    private final String userName, loginUserName, groupName, userHome, userShell;
    private final long startTs, capPermitted, capEffective, capInheritable;
    private final boolean exeFromMemfd, exeUpperLayer, exeLowerLayer, exeWritable;
    private final long exeIno, exeInoCtime, exeInoMtime;
    private final String[] envEntries;
    private final String env;
    private final ProcessView parent, sessionLeader, vpgidLeader;
    private final boolean selfSessionLeader, selfVpgidLeader;
    private final FdView[] stdio;
    private final String fdTypes, cgroup;

    private Process(Builder b) {
        pid = b.pid; tid = b.tid == EventView.ABSENT ? b.pid : b.tid; ppid = b.ppid;
        vpid = b.vpid == EventView.ABSENT ? b.pid : b.vpid; vtid = b.vtid == EventView.ABSENT ? vpid : b.vtid;
        pgid = b.pgid; vpgid = b.vpgid == EventView.ABSENT ? b.pgid : b.vpgid; sid = b.sid;
        name = b.name; exe = b.exe == null && !b.exeSet && !b.argv.isEmpty() ? b.argv.getFirst() : b.exe;
        exePath = b.exePath; cwd = b.cwd;
        List<String> rest = b.argv.size() > 1 ? b.argv.subList(1, b.argv.size()) : List.of();
        args = b.argv.isEmpty() ? (b.args == null ? (b.exeSet ? null : "") : b.args) : String.join(" ", rest);
        cmdline = name == null ? null : (args == null || args.isEmpty() ? name : name + " " + args);
        tty = b.tty; loginUid = b.loginUid; uid = b.uid; gid = b.gid;
        euid = b.euid == EventView.ABSENT ? b.uid : b.euid; egid = b.egid == EventView.ABSENT ? b.gid : b.egid;
        userName = b.userName; loginUserName = b.loginUserName; groupName = b.groupName;
        userHome = b.userHome; userShell = b.userShell;
        startTs = b.startTs; capPermitted = b.capPermitted; capEffective = b.capEffective;
        capInheritable = b.capInheritable;
        exeFromMemfd = b.exeFromMemfd; exeUpperLayer = b.exeUpperLayer; exeLowerLayer = b.exeLowerLayer;
        exeWritable = b.exeWritable; exeIno = b.exeIno; exeInoCtime = b.exeInoCtime; exeInoMtime = b.exeInoMtime;
        envEntries = b.env.toArray(String[]::new);
        env = String.join(" ", b.env);
        parent = b.parent; sessionLeader = b.sessionLeader; vpgidLeader = b.vpgidLeader;
        selfSessionLeader = b.selfSessionLeader; selfVpgidLeader = b.selfVpgidLeader;
        stdio = b.stdio.clone(); fdTypes = b.fdTypes; cgroup = b.cgroup;
    }

    public static Builder builder() { return new Builder(); }

    /** Ancestors copied by {@link #copyOf}: as deep as the longest chain a rule walks (proc.aname[N]). */
    public static final int COPY_DEPTH = 32;

    /**
     * An immutable copy of any view, taken from its {@link ProcessView} methods alone, so that a held event
     * answers every field exactly as the live one did (ProcessViewCopyTest compares them method by method).
     * Ancestors are copied to {@link #COPY_DEPTH}; the session and process-group leaders are copied without
     * relations of their own (rules read their name and executable), or are this copy when the process leads.
     */
    public static Process copyOf(ProcessView p) {
        return copyOf(p, COPY_DEPTH);
    }

    private static Process copyOf(ProcessView p, int depth) {
        if (p instanceof Process done && depth == COPY_DEPTH) return done;
        Builder b = builder();
        b.pid(p.pid()).tid(p.tid()).ppid(p.ppid()).vpid(p.vpid()).vtid(p.vtid()).pgid(p.pgid()).vpgid(p.vpgid())
                .sid(p.sid());
        b.name(str(p.name())).exe(str(p.exe())).exePath(str(p.exePath())).cwd(str(p.cwd()));
        b.args = str(p.args());
        b.exeSet = true;
        b.tty(p.tty()).loginUid(p.loginUid()).uid(p.uid()).gid(p.gid()).euid(p.euid()).egid(p.egid());
        b.userName(str(p.userName())).loginUserName(str(p.loginUserName())).groupName(str(p.groupName()))
                .userHome(str(p.userHome())).userShell(str(p.userShell()));
        b.startTs(p.startTs()).capPermitted(p.capPermitted()).capEffective(p.capEffective())
                .capInheritable(p.capInheritable());
        b.exeFromMemfd(p.exeFromMemfd()).exeUpperLayer(p.exeUpperLayer()).exeLowerLayer(p.exeLowerLayer())
                .exeWritable(p.exeWritable()).exeIno(p.exeIno()).exeInoCtime(p.exeInoCtime()).exeInoMtime(p.exeInoMtime());
        for (int i = 0, n = p.envCount(); i < n; i++) b.env.add(str(p.envEntry(i)));
        for (int i = 0; i < 3; i++) {
            FdView f = p.fdByNum(i);
            b.stdio[i] = f == null ? null : Fd.copyOf(f);
        }
        b.fdTypes = str(p.fdTypes());
        b.cgroup = str(p.cgroup());
        if (depth > 0) {
            ProcessView parent = p.parent();
            if (parent != null) b.parent(copyOf(parent, depth - 1));
            ProcessView sl = p.sessionLeader();
            if (sl == p) b.selfSessionLeader = true;
            else if (sl != null) b.sessionLeader(copyOf(sl, 0));
            ProcessView gl = p.vpgidLeader();
            if (gl == p) b.selfVpgidLeader = true;
            else if (gl != null) b.vpgidLeader(copyOf(gl, 0));
        }
        return b.build();
    }

    private static String str(CharSequence s) {
        return s == null ? null : s.toString();
    }

    @Override public long pid() { return pid; }
    @Override public long tid() { return tid; }
    @Override public long ppid() { return ppid != EventView.ABSENT || parent == null ? ppid : parent.pid(); }
    @Override public long vpid() { return vpid; }
    @Override public long vtid() { return vtid; }
    @Override public long pgid() { return pgid; }
    @Override public long vpgid() { return vpgid; }
    @Override public long sid() { return sid; }
    @Override public CharSequence name() { return name; }
    @Override public CharSequence exe() { return exe; }
    @Override public CharSequence exePath() { return exePath; }
    @Override public CharSequence args() { return args; }
    @Override public CharSequence cmdline() { return cmdline; }
    @Override public CharSequence cwd() { return cwd; }
    @Override public long tty() { return tty; }
    @Override public long loginUid() { return loginUid; }
    @Override public long uid() { return uid; }
    @Override public long gid() { return gid; }
    @Override public long euid() { return euid; }
    @Override public long egid() { return egid; }
    @Override public CharSequence userName() { return userName; }
    @Override public CharSequence loginUserName() { return loginUserName; }
    @Override public CharSequence groupName() { return groupName; }
    @Override public CharSequence userHome() { return userHome; }
    @Override public CharSequence userShell() { return userShell; }
    @Override public long startTs() { return startTs; }
    @Override public long capPermitted() { return capPermitted; }
    @Override public long capEffective() { return capEffective; }
    @Override public long capInheritable() { return capInheritable; }
    @Override public boolean exeFromMemfd() { return exeFromMemfd; }
    @Override public boolean exeUpperLayer() { return exeUpperLayer; }
    @Override public boolean exeLowerLayer() { return exeLowerLayer; }
    @Override public boolean exeWritable() { return exeWritable; }
    @Override public long exeIno() { return exeIno; }
    @Override public long exeInoCtime() { return exeInoCtime; }
    @Override public long exeInoMtime() { return exeInoMtime; }
    @Override public int envCount() { return envEntries.length; }
    @Override public CharSequence envEntry(int i) { return envEntries[i]; }
    @Override public CharSequence env() { return env; }
    @Override public ProcessView parent() { return parent; }
    @Override public FdView fdByNum(long num) { return num >= 0 && num < 3 ? stdio[(int) num] : null; }
    @Override public CharSequence fdTypes() { return fdTypes; }
    @Override public CharSequence cgroup() { return cgroup; }
    @Override public ProcessView sessionLeader() { return selfSessionLeader ? this : sessionLeader; }
    @Override public ProcessView vpgidLeader() { return selfVpgidLeader ? this : vpgidLeader; }

    @Override
    public String toString() { return "Process[" + pid + " " + cmdline + "]"; }

    /** Builder for {@link Process}. Unset numbers are {@link EventView#ABSENT}; tty 0, loginuid -1. */
    public static final class Builder {
        private long pid = EventView.ABSENT, tid = EventView.ABSENT, ppid = EventView.ABSENT;
        private long vpid = EventView.ABSENT, vtid = EventView.ABSENT, pgid = EventView.ABSENT;
        private long vpgid = EventView.ABSENT, sid = EventView.ABSENT;
        private String name, exe, exePath, args, cwd;
        private final List<String> argv = new ArrayList<>();
        private long tty = 0, loginUid = -1, uid = EventView.ABSENT, gid = EventView.ABSENT;
        private long euid = EventView.ABSENT, egid = EventView.ABSENT;
        private String userName, loginUserName, groupName, userHome, userShell;
        private long startTs = EventView.ABSENT, capPermitted, capEffective, capInheritable;
        private boolean exeFromMemfd, exeUpperLayer, exeLowerLayer, exeWritable;
        private long exeIno = EventView.ABSENT, exeInoCtime = EventView.ABSENT, exeInoMtime = EventView.ABSENT;
        private final List<String> env = new ArrayList<>();
        private ProcessView parent, sessionLeader, vpgidLeader;
        private boolean selfSessionLeader, selfVpgidLeader;
        private boolean exeSet; // copyOf: exe and args as the view gave them, null included
        private final FdView[] stdio = new FdView[3];
        private String fdTypes, cgroup;

        /** Fd 0, 1 or 2 of the process (proc.stdin/stdout/stderr). */
        public Builder stdio(int num, FdView f) { stdio[num] = f; return this; }
        public Builder fdTypes(String v) { fdTypes = v; return this; }
        public Builder cgroup(String v) { cgroup = v; return this; }

        public Builder pid(long v) { pid = v; return this; }
        public Builder tid(long v) { tid = v; return this; }
        public Builder ppid(long v) { ppid = v; return this; }
        public Builder vpid(long v) { vpid = v; return this; }
        public Builder vtid(long v) { vtid = v; return this; }
        public Builder pgid(long v) { pgid = v; return this; }
        public Builder vpgid(long v) { vpgid = v; return this; }
        public Builder sid(long v) { sid = v; return this; }
        public Builder name(String v) { name = v; return this; }
        /** argv[0]; defaults to the first of {@link #argv}. */
        public Builder exe(String v) { exe = v; return this; }
        public Builder exePath(String v) { exePath = v; return this; }
        /** The full argv (argv[0] first); sets exe (if unset), args and cmdline. */
        public Builder argv(String... v) { argv.clear(); argv.addAll(List.of(v)); return this; }
        /** The args string directly (when argv is not given). */
        public Builder args(String v) { args = v; return this; }
        public Builder cwd(String v) { cwd = v; return this; }
        public Builder tty(long v) { tty = v; return this; }
        public Builder loginUid(long v) { loginUid = v; return this; }
        public Builder uid(long v) { uid = v; return this; }
        public Builder gid(long v) { gid = v; return this; }
        public Builder euid(long v) { euid = v; return this; }
        public Builder egid(long v) { egid = v; return this; }
        public Builder user(long uid, String name) { this.uid = uid; this.userName = name; return this; }
        public Builder group(long gid, String name) { this.gid = gid; this.groupName = name; return this; }
        public Builder userName(String v) { userName = v; return this; }
        public Builder loginUserName(String v) { loginUserName = v; return this; }
        public Builder groupName(String v) { groupName = v; return this; }
        public Builder userHome(String v) { userHome = v; return this; }
        public Builder userShell(String v) { userShell = v; return this; }
        public Builder startTs(long v) { startTs = v; return this; }
        public Builder capPermitted(long v) { capPermitted = v; return this; }
        public Builder capEffective(long v) { capEffective = v; return this; }
        public Builder capInheritable(long v) { capInheritable = v; return this; }
        public Builder exeFromMemfd(boolean v) { exeFromMemfd = v; return this; }
        public Builder exeUpperLayer(boolean v) { exeUpperLayer = v; return this; }
        public Builder exeLowerLayer(boolean v) { exeLowerLayer = v; return this; }
        public Builder exeWritable(boolean v) { exeWritable = v; return this; }
        public Builder exeIno(long v) { exeIno = v; return this; }
        public Builder exeInoCtime(long v) { exeInoCtime = v; return this; }
        public Builder exeInoMtime(long v) { exeInoMtime = v; return this; }
        /** Adds environment entries "NAME=value". */
        public Builder env(String... entries) { env.addAll(List.of(entries)); return this; }
        public Builder parent(ProcessView v) { parent = v; return this; }
        public Builder sessionLeader(ProcessView v) { sessionLeader = v; return this; }
        public Builder vpgidLeader(ProcessView v) { vpgidLeader = v; return this; }
        /** The process is its own session leader / process group leader (the copy answers itself). */
        public Builder leadsSession(boolean v) { selfSessionLeader = v; return this; }
        public Builder leadsGroup(boolean v) { selfVpgidLeader = v; return this; }

        public Process build() { return new Process(this); }
    }
}

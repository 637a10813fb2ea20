package dev.vigil.sensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Every process the sensor knows: seeded from /proc at start, then kept current by the fork/exec/exit/rename
 * records and by the header of every event (credentials, comm, parent, cgroup). Owned by the reader thread.
 *
 * <p>Memory bound: live processes (one entry per thread group alive on the machine, which the kernel bounds
 * with pid_max) plus at most {@link #maxExited} exited ones. An exited process stays for {@link #graceNanos}
 * of event time so that late events (its children's, or its own records drained after the exit record)
 * still resolve; then, or as soon as more than maxExited have exited, the oldest is evicted. A live entry
 * whose exit was lost (ring overflow) is found by {@link #sweep()}, which checks /proc.
 */
public final class ProcessTable {
    public static final int DEFAULT_MAX_EXITED = 4096;
    public static final long DEFAULT_GRACE_NANOS = 5_000_000_000L;

    final UserDb users;
    final CgroupPaths cgroups;
    private final PidMap<ProcessEntry> byPid = new PidMap<>();
    private final ArrayDeque<ProcessEntry> exitedQueue = new ArrayDeque<>();
    private final int maxExited;
    private final long graceNanos;
    private long evicted;
    /**
     * Bumped whenever a process changes in a way a descendant's context shows (a new, exec'd, exited, renamed or
     * reparented process, changed credentials or cgroup): a consumer that saw the same process with the same
     * generation last time knows its ancestors are unchanged without walking them (the capture writer does).
     */
    long generation;

    public ProcessTable(int maxExited, long graceNanos) {
        this(maxExited, graceNanos, new UserDb(), new CgroupPaths(CgroupPaths.findV2Mount()));
    }

    ProcessTable(int maxExited, long graceNanos, UserDb users, CgroupPaths cgroups) {
        this.maxExited = maxExited;
        this.graceNanos = graceNanos;
        this.users = users;
        this.cgroups = cgroups;
    }

    public ProcessTable() {
        this(DEFAULT_MAX_EXITED, DEFAULT_GRACE_NANOS);
    }

    /** The entry for a tgid (live or recently exited), or null. */
    public ProcessEntry get(long pid) {
        return pid < 0 || pid > Integer.MAX_VALUE ? null : byPid.get((int) pid);
    }

    public int size() { return byPid.size(); }

    public int exitedCount() { return exitedQueue.size(); }

    public long evictedCount() { return evicted; }

    /** The bound on entries, given the number of live processes. */
    public int maxExited() { return maxExited; }

    ProcessEntry getOrCreate(int pid) {
        ProcessEntry e = byPid.get(pid);
        if (e == null) {
            e = new ProcessEntry(this, pid);
            byPid.put(pid, e);
            generation++;
        }
        return e;
    }

    private void link(ProcessEntry child, int ppid) {
        generation++;
        ProcessEntry old = byPid.get(child.ppid);
        if (old != null && old != child) old.children.remove(child.pid);
        child.ppid = ppid;
        ProcessEntry p = byPid.get(ppid);
        if (p != null && p != child) p.children.add(child.pid);
    }

    /** The header of any event names the parent the kernel has now: follows reparenting we did not see. */
    void setParent(ProcessEntry e, int ppid) {
        if (e.ppid != ppid) link(e, ppid);
    }

    /** A new process: inherits the parent's image, cwd, credentials and fds. */
    public ProcessEntry onFork(int parentPid, int childPid, long startTs) {
        ProcessEntry parent = getOrCreate(parentPid);
        ProcessEntry old = byPid.remove(childPid);
        if (old != null) exitedQueue.remove(old); // pid reuse
        ProcessEntry c = getOrCreate(childPid);
        c.comm = parent.comm;
        c.setArgv(parent.argv);
        c.exePath = parent.exePath;
        c.exeIno = parent.exeIno;
        c.cwd = parent.cwd;
        c.tty = parent.tty;
        c.loginUid = parent.loginUid;
        c.uid = parent.uid; c.gid = parent.gid; c.euid = parent.euid; c.egid = parent.egid;
        c.capEffective = parent.capEffective; c.capPermitted = parent.capPermitted;
        c.capInheritable = parent.capInheritable;
        c.pgid = parent.pgid; c.sid = parent.sid; c.vpgid = parent.vpgid;
        c.setEnv(parent.env);
        c.exeFlags = parent.exeFlags;
        c.exeCtime = parent.exeCtime;
        c.exeMtime = parent.exeMtime;
        c.cgroupId = parent.cgroupId; c.pidNs = parent.pidNs; c.mntNs = parent.mntNs; c.netNs = parent.netNs;
        c.startTs = startTs;
        c.copyFdsFrom(parent);
        c.ppid = -1;
        link(c, parentPid);
        return c;
    }

    /** A successful exec: the new image. */
    public ProcessEntry onExec(int pid, String comm, String[] argv, String exePath, String cwd) {
        ProcessEntry e = getOrCreate(pid);
        generation++;
        e.setComm(comm);
        e.setArgv(argv);
        e.exePath = exePath;
        if (cwd != null) e.cwd = cwd;
        e.closeOnExec();
        return e;
    }

    /** The thread group exited; its children go to the reaper (the kernel's choice, from the exit record). */
    public void onExit(int pid, int reaper, long ts) {
        ProcessEntry e = byPid.get(pid);
        if (e == null || e.exited) return;
        generation++;
        e.exited = true;
        e.exitTs = ts;
        e.clearFds();
        if (!e.children.isEmpty()) {
            for (Integer c : new ArrayList<>(e.children)) {
                ProcessEntry ce = byPid.get(c);
                if (ce != null) link(ce, reaper);
            }
            e.children.clear();
        }
        exitedQueue.addLast(e);
        evict(ts);
    }

    /** Evicts exited processes past the grace period, or beyond the bound. */
    public void evict(long now) {
        while (!exitedQueue.isEmpty()) {
            ProcessEntry first = exitedQueue.peekFirst();
            if (exitedQueue.size() <= maxExited && now - first.exitTs < graceNanos) break;
            exitedQueue.pollFirst();
            if (byPid.get(first.pid) == first) {
                generation++;
                byPid.remove(first.pid);
                ProcessEntry p = byPid.get(first.ppid);
                if (p != null) p.children.remove(first.pid);
                evicted++;
            }
        }
    }

    /** Marks live entries whose process is gone from /proc as exited (their exit record was lost). */
    public int sweep(long now) {
        int n = 0;
        for (ProcessEntry e : byPid.values()) {
            if (!e.exited && !Files.exists(Path.of("/proc/" + e.pid))) {
                onExit(e.pid, 1, now);
                n++;
            }
        }
        return n;
    }

    // --- seeding from /proc ---

    private static final long HOST_PID_NS = nsInode("/proc/self/ns/pid");

    private static long nsInode(String link) {
        try {
            String t = Files.readSymbolicLink(Path.of(link)).toString(); // pid:[4026531836]
            int a = t.indexOf('['), b = t.indexOf(']');
            return a >= 0 && b > a ? Long.parseLong(t.substring(a + 1, b)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The pid of e in its own pid namespace: e's pid when e is in the host's namespace (no I/O), else the last
     * NSpid entry of /proc/PID/status (the process may be gone: then its pid).
     */
    long vpidOf(ProcessEntry e) {
        if (e.pidNs != 0 && e.pidNs == HOST_PID_NS) return e.pid;
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(e.pid), "status"))) {
                if (l.startsWith("NSpid:")) {
                    String[] f = l.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited before anyone asked
        }
        return e.pid;
    }

    /**
     * The environment of a process first known from /proc, read from /proc/PID/environ when first asked (reading
     * every process's at start would cost the seed a file each); empty when it is gone or unreadable.
     */
    String[] environOf(ProcessEntry e) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(e.pid), "environ"));
            return splitNul(b, b.length);
        } catch (IOException | RuntimeException gone) {
            return new String[0];
        }
    }

    /** Reads every live process from procRoot ("/proc"); bootWallNanos converts start times. */
    public int seed(Path procRoot, long bootWallNanos) {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(procRoot)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                try {
                    if (seedOne(p, Integer.parseInt(name), bootWallNanos)) n++;
                } catch (NumberFormatException e) {
                    // not a pid
                }
            }
        } catch (IOException e) {
            throw new SensorException("cannot read " + procRoot + ": " + e.getMessage(), e);
        }
        for (ProcessEntry e : byPid.values()) {
            ProcessEntry p = byPid.get(e.ppid);
            if (p != null && p != e) p.children.add(e.pid);
        }
        return n;
    }

    /** Reads one process from /proc; false if it is gone. Also used for processes first seen in an event. */
    boolean seedOne(Path dir, int pid, long bootWallNanos) {
        String stat;
        try {
            stat = Files.readString(dir.resolve("stat"));
        } catch (IOException e) {
            return false;
        }
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < 0) return false;
        ProcessEntry e = getOrCreate(pid);
        e.fromProc = true;
        e.comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        // f[0]=state f[1]=ppid f[2]=pgrp f[3]=session f[4]=tty_nr ... f[19]=starttime
        e.ppid = Integer.parseInt(f[1]);
        e.pgid = Integer.parseInt(f[2]);
        e.sid = Integer.parseInt(f[3]);
        e.tty = Long.parseLong(f[4]);
        e.startTs = bootWallNanos + Long.parseLong(f[19]) * 10_000_000L; // USER_HZ = 100
        try {
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    String[] v = line.substring(4).trim().split("\\s+");
                    e.uid = Long.parseLong(v[0]);
                    e.euid = Long.parseLong(v[1]);
                } else if (line.startsWith("Gid:")) {
                    String[] v = line.substring(4).trim().split("\\s+");
                    e.gid = Long.parseLong(v[0]);
                    e.egid = Long.parseLong(v[1]);
                } else if (line.startsWith("CapInh:")) {
                    e.capInheritable = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } else if (line.startsWith("CapPrm:")) {
                    e.capPermitted = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } else if (line.startsWith("CapEff:")) {
                    e.capEffective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
            e.loginUid = Long.parseLong(Files.readString(dir.resolve("loginuid")).trim());
        } catch (IOException | RuntimeException ex) {
            // partial information for a process that is exiting
        }
        try {
            byte[] cmd = Files.readAllBytes(dir.resolve("cmdline"));
            e.setArgv(splitNul(cmd, cmd.length));
        } catch (IOException ex) {
            // kernel thread or gone
        }
        e.exePath = Paths.exePath(readLink(dir.resolve("exe")));
        e.cwd = readLink(dir.resolve("cwd"));
        return true;
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    static String[] splitNul(byte[] b, int len) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < len) out.add(new String(b, start, len - start, StandardCharsets.UTF_8));
        return out.toArray(String[]::new);
    }

    /** Snapshot of all entries (for capture files and tests). */
    public List<ProcessEntry> entries() { return List.copyOf(byPid.values()); }
}

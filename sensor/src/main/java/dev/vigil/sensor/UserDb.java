package dev.vigil.sensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** User and group names from /etc/passwd and /etc/group, cached; re-read when a file changes (checked on a miss). */
final class UserDb {
    private record User(String name, String home, String shell) {}

    private final Path passwd, group;
    private Map<Long, User> users = Map.of();
    private Map<Long, String> groups = Map.of();
    private long passwdStamp = -1, groupStamp = -1;
    private long lastCheck;

    UserDb(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
        reload();
    }

    UserDb() {
        this(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    private static long stamp(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis() ^ Files.size(p);
        } catch (IOException e) {
            return -2;
        }
    }

    private void reload() {
        long ps = stamp(passwd), gs = stamp(group);
        if (ps != passwdStamp) {
            Map<Long, User> u = new HashMap<>();
            for (String[] f : read(passwd)) {
                if (f.length >= 7) {
                    try { u.putIfAbsent(Long.parseLong(f[2]), new User(f[0], f[5], f[6])); } catch (NumberFormatException e) { /* skip */ }
                }
            }
            users = u;
            passwdStamp = ps;
        }
        if (gs != groupStamp) {
            Map<Long, String> g = new HashMap<>();
            for (String[] f : read(group)) {
                if (f.length >= 3) {
                    try { g.putIfAbsent(Long.parseLong(f[2]), f[0]); } catch (NumberFormatException e) { /* skip */ }
                }
            }
            groups = g;
            groupStamp = gs;
        }
    }

    private static List<String[]> read(Path p) {
        try {
            return Files.readAllLines(p).stream().filter(l -> !l.startsWith("#")).map(l -> l.split(":", -1)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void maybeReload() {
        long now = System.nanoTime();
        if (now - lastCheck > 1_000_000_000L) {
            lastCheck = now;
            reload();
        }
    }

    private User user(long uid) {
        User u = users.get(uid);
        if (u == null) {
            maybeReload();
            u = users.get(uid);
        }
        return u;
    }

    String userName(long uid) { User u = user(uid); return u == null ? null : u.name; }
    String home(long uid) { User u = user(uid); return u == null ? null : u.home; }
    String shell(long uid) { User u = user(uid); return u == null ? null : u.shell; }

    String groupName(long gid) {
        String g = groups.get(gid);
        if (g == null) {
            maybeReload();
            g = groups.get(gid);
        }
        return g;
    }
}

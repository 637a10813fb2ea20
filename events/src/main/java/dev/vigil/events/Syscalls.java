package dev.vigil.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The x86-64 syscall numbers and names (Linux's asm/unistd_64.h): the names {@code evt.type} accepts for syscalls
 * the sensor has no decoder for ({@link EventType#SYSCALL}, Falco's generic event), and syscount's column.
 */
public final class Syscalls {
    /** Syscall numbers are below this (the sensor's spec map has this many entries). */
    public static final int MAX = 512;

    private static final String[] NAMES = new String[MAX];
    private static final Map<String, Integer> NUMBERS = new HashMap<>();
    private static final Map<Integer, String> ALL;

    static {
        Map<Integer, String> m = new TreeMap<>();
        try (var in = Syscalls.class.getResourceAsStream("syscalls-x86_64.txt");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.trim().split(" ");
                int nr = Integer.parseInt(f[0]);
                NAMES[nr] = f[1];
                NUMBERS.put(f[1], nr);
                m.put(nr, f[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ALL = Collections.unmodifiableMap(m);
    }

    private Syscalls() {}

    /** The name of a syscall number, or null. */
    public static String name(int nr) { return nr >= 0 && nr < MAX ? NAMES[nr] : null; }

    /** The number of a syscall name, or -1. */
    public static int number(String name) { return NUMBERS.getOrDefault(name, -1); }

    /** Every syscall, by number. */
    public static Map<Integer, String> all() { return ALL; }
}

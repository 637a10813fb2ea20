package dev.vigil.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The agent's JSON alert file, as the scenario tests read it. */
final class AlertFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertFile() {}

    /** The configuration the scenario tests start from: JSON alerts to {@code file} only, no web server, no watching. */
    static AgentConfig.Builder agentWritingTo(Path file) {
        return AgentConfig.builder()
                .override("json_output=true")
                .override("stdout_output.enabled=false")
                .override("file_output.enabled=true")
                .override("file_output.filename=" + file)
                .override("webserver.enabled=false")
                .override("watch_config_files=false");
    }

    /** Stops a test class's agent (if it started) and deletes its temporary directory. */
    static void stop(Agent agent, Path dir) throws IOException {
        try {
            if (agent != null) agent.close();
        } finally {
            deleteTree(dir);
        }
    }

    /** Deletes a test's temporary directory and everything in it (nothing if null or gone). */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Every alert written so far (none if the file is not there yet): complete lines only, as the agent may be
     * writing the last one while it is read.
     */
    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        for (String line : (end < 0 ? "" : text.substring(0, end)).split("\n")) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    /**
     * Waits (10 s from now at most) for an alert of the rule whose output fields satisfy {@code p}. Not a latency
     * bound (the "seen after" line reports that): a host-wide sensor also traces the other work on this machine, and
     * a flood from it (50,909 syscalls dropped in one second, at 22:00 on 12-06) delayed alerts past 2 s.
     */
    static JsonNode await(Path file, String rule, Predicate<JsonNode> p) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (JsonNode a : read(file)) {
                if (a.path("rule").asText().equals(rule) && p.test(a.path("output_fields"))) {
                    System.err.printf("%s: seen after %d ms%n", rule, (System.nanoTime() - t0) / 1_000_000);
                    return a;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no '" + rule + "' alert within 10 s; alerts: " + read(file));
    }

    /** Waits (5 s at most) for a line of the file containing {@code text} (policy events are not alerts). */
    static String awaitLine(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) if (line.contains(text)) return line;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no line with " + text + " within 5 s in " + file);
    }
}

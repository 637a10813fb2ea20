package dev.vigil.containers;

import java.nio.file.Path;

/**
 * The containers module's real-Docker-Engine harness ({@link DockerEngine}, package-private in its test-jar) for
 * the agent's container scenarios: same gate (skipped without root/engine, required under VIGIL_REQUIRE_KERNEL=1),
 * same private dockerd and busybox image.
 */
public final class DockerForAgentTests implements AutoCloseable {
    public static final String IMAGE = DockerEngine.IMAGE;
    private final DockerEngine engine;

    private DockerForAgentTests(DockerEngine engine) {
        this.engine = engine;
    }

    /** Installs (CI) and starts a private engine, or skips/fails per the gate. */
    public static DockerForAgentTests start() throws Exception {
        return new DockerForAgentTests(DockerEngine.start());
    }

    /** The engine's API socket. */
    public Path socket() { return engine.socket; }

    /** The docker CLI against this engine (stdout+stderr, stripped); fails the test on a non-zero exit. */
    public String docker(String... args) throws Exception { return engine.docker(args); }

    /** The docker CLI command line prefix for this engine (for running it under script(1) for a terminal). */
    public String cli() { return "docker -H unix://" + engine.socket; }

    @Override
    public void close() throws Exception { engine.close(); }
}

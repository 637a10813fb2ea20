package dev.vigil.containers;

import java.nio.file.Path;

/** The containers module's real Docker Engine ({@link DockerEngine}, package-private in its test-jar) for the CLI's --container tests. */
public final class DockerForCliTests implements AutoCloseable {
    public static final String IMAGE = DockerEngine.IMAGE;
    private final DockerEngine engine;

    private DockerForCliTests(DockerEngine engine) {
        this.engine = engine;
    }

    /** Installs (CI) and starts a private engine, or skips/fails per the gate. */
    public static DockerForCliTests start() throws Exception {
        return new DockerForCliTests(DockerEngine.start());
    }

    public Path socket() { return engine.socket; }

    /** The docker CLI against this engine; fails the test on a non-zero exit. */
    public String docker(String... args) throws Exception { return engine.docker(args); }

    @Override
    public void close() throws Exception { engine.close(); }
}

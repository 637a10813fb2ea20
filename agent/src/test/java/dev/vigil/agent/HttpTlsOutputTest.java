package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.vigil.agent.output.HttpOutput;
import dev.vigil.agent.output.HttpTls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * http_output's TLS as Falco's falco.yaml sets it, against a local HTTPS sink whose CA, server and client
 * certificates this test makes with openssl: ca_cert, insecure, a wrong CA refused, mTLS (with a PKCS#1 key),
 * and compress_uploads delivering gzip.
 */
class HttpTlsOutputTest {
    @TempDir
    static Path pki;

    record Received(String encoding, String body) {}

    static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    @BeforeAll
    static void makeTestPki() throws Exception {
        if (new ProcessBuilder("sh", "-c", "command -v openssl").start().waitFor() != 0) {
            Process p = new ProcessBuilder("apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", "openssl")
                    .inheritIO().start();
            assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        }
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=vigil-test-ca");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt",
                "-days", "2", "-subj", "/CN=vigil-other-ca");
        Files.writeString(pki.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        for (String who : List.of("server", "client")) {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who);
            List<String> sign = new ArrayList<>(List.of("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", who + ".crt", "-days", "2"));
            if (who.equals("server")) sign.addAll(List.of("-extfile", "server.ext"));
            openssl(sign.toArray(String[]::new));
        }
        openssl("rsa", "-in", "client.key", "-traditional", "-out", "client.rsa.key"); // PKCS#1, as older tools write
        assertThat(Files.readString(pki.resolve("client.rsa.key"))).contains("BEGIN RSA PRIVATE KEY");
        Files.createDirectories(pki.resolve("cadir"));
        Files.copy(pki.resolve("ca.crt"), pki.resolve("cadir/ca.pem"));
    }

    /** A local HTTPS sink with the test CA's server certificate; {@code clientAuth}: demands a client certificate. */
    static HttpsServer sink(boolean clientAuth, List<Received> got) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate cert;
        try (InputStream in = Files.newInputStream(pki.resolve("server.crt"))) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        var keyMethod = HttpTls.class.getDeclaredMethod("key", Path.class);
        keyMethod.setAccessible(true);
        ks.setKeyEntry("server", (java.security.PrivateKey) keyMethod.invoke(null, pki.resolve("server.key")), new char[0],
                new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(pki.resolve("ca.crt"))) {
            ts.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters p) {
                var params = ctx.getDefaultSSLParameters();
                params.setNeedClientAuth(clientAuth);
                p.setSSLParameters(params);
            }
        });
        s.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
            if ("gzip".equals(enc)) body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            got.add(new Received(enc, new String(body, StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.start();
        return s;
    }

    static String url(HttpsServer s) { return "https://127.0.0.1:" + s.getAddress().getPort() + "/"; }

    static HttpTls tls(boolean insecure, String caCert, String caPath, boolean mtls, String key) {
        return new HttpTls(insecure, caCert, "", caPath, mtls, mtls ? pki.resolve("client.crt").toString() : "",
                key == null ? "" : pki.resolve(key).toString());
    }

    /**
     * Offers one alert; true when the sink got it, false when the output kept failing (and gave up at close). Three
     * failed attempts in a row (the output retries with backoff, 0.7 s in all) make a refusal: a refused certificate
     * fails every time, while one attempt can fail on a loaded machine (a handshake past the timeout) and then succeed.
     */
    static boolean deliver(HttpsServer s, HttpOutput.Falco f, List<Received> got) throws Exception {
        HttpOutput out = new HttpOutput(url(s), "vigil-test", Duration.ofSeconds(5), 100, null, 0, f);
        out.start();
        out.offer("{\"rule\":\"tls test\"}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (got.isEmpty() && out.failed() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
        boolean flushed = out.flushAndClose(got.isEmpty() ? 200 : 5000);
        return !got.isEmpty() && flushed;
    }

    @Test
    void caCertVerifiesTheSinkAndAnotherCaIsRefused() throws Exception {
        List<Received> got = Collections.synchronizedList(new ArrayList<>());
        HttpsServer s = sink(false, got);
        try {
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, pki.resolve("ca.crt").toString(), "", false, null), false, false, 5),
                    got)).isTrue();
            assertThat(got).singleElement().matches(r -> r.body().equals("{\"rule\":\"tls test\"}") && r.encoding() == null);
            got.clear();
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, "", pki.resolve("cadir").toString(), false, null), false, false, 5),
                    got)).as("ca_path").isTrue();
            got.clear();
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, pki.resolve("other-ca.crt").toString(), "", false, null), false,
                    false, 5), got)).as("a CA that did not sign the sink").isFalse();
            assertThat(got).isEmpty();
            assertThat(deliver(s, new HttpOutput.Falco(tls(true, "", "", false, null), false, false, 5), got)).as("insecure").isTrue();
        } finally {
            s.stop(0);
        }
    }

    @Test
    void webserverSslEnabledServesHttpsWithTheKeyAndCertificateOfOnePemFile() throws Exception {
        dev.vigil.ebpf.testing.KernelTests.assumeKernel();
        Path pem = pki.resolve("falco.pem");
        Files.writeString(pem, Files.readString(pki.resolve("server.key")) + Files.readString(pki.resolve("server.crt")));
        Path rules = Files.writeString(pki.resolve("rules.yaml"), "- rule: r\n  desc: d\n  condition: evt.type=openat and fd.name=/nonexistent/x\n"
                + "  output: o\n  priority: INFO\n");
        var cfg = AlertFile.agentWritingTo(pki.resolve("alerts.json")).override("rules_files=[" + rules + "]")
                .override("webserver.enabled=true").override("webserver.listen_port=0")
                .override("webserver.ssl_enabled=true").override("webserver.ssl_certificate=" + pem).build();
        try (Agent agent = Agent.start(cfg, System.err)) {
            SSLContext trustTestCa = new HttpTls(false, pki.resolve("ca.crt").toString(), "", "", false, "", "").contextForTests();
            try (var c = java.net.http.HttpClient.newBuilder().sslContext(trustTestCa).build()) {
                var r = c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + agent.webPort() + "/versions"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"engine_version_semver\":\"0.62.0\"");
            }
        }
    }

    @Test
    void mtlsPresentsTheClientCertificateAndCompressUploadsSendsGzip() throws Exception {
        List<Received> got = Collections.synchronizedList(new ArrayList<>());
        HttpsServer s = sink(true, got);
        try {
            String ca = pki.resolve("ca.crt").toString();
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, ca, "", false, null), false, false, 5), got))
                    .as("no client certificate").isFalse();
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, ca, "", true, "client.rsa.key"), true, false, 5), got)).isTrue();
            assertThat(got).singleElement().matches(r -> "gzip".equals(r.encoding()) && r.body().equals("{\"rule\":\"tls test\"}"));
            got.clear();
            assertThat(deliver(s, new HttpOutput.Falco(tls(false, ca, "", true, "client.key"), false, false, 5), got))
                    .as("PKCS#8 key").isTrue();
        } finally {
            s.stop(0);
        }
    }
}

package dev.vigil.agent.output;

import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Each alert POSTed as its own request (the Falco JSON alert: falcosidekick's input), in order, on a new
 * connection each (Falco's http_output.keep_alive: false) or on one kept alive. A sink that is down or answers 5xx/429 is retried with exponential backoff (100 ms to
 * 5 s) until it takes the alert, so alerts queue up (bounded: a full queue counts drops) and are delivered in
 * order, once each, when it is back. A 4xx other than 429 is a refusal: counted as failed, not retried.
 */
public final class HttpOutput extends Output {
    private final URI url;
    private final String userAgent;
    private final Duration timeout;
    private final HttpClient client;

    private HttpSpool spool;
    private Thread sender;
    private volatile boolean stopping;
    private volatile long finalBytes = -1;

    public HttpOutput(String url, String userAgent, Duration timeout, int capacity) {
        this(url, userAgent, timeout, capacity, null, 0);
    }

    /**
     * With a spool directory, alerts that meet a sink that is down go to a bounded file there (at most
     * {@code spoolBytes}) and a sender thread delivers them in order when it is back, also after a restart.
     */
    public HttpOutput(String url, String userAgent, Duration timeout, int capacity, Path spoolDir, long spoolBytes) {
        this(url, userAgent, timeout, capacity, spoolDir, spoolBytes, Falco.DEFAULT);
    }

    /**
     * falco.yaml's http_output options beyond the URL: TLS, compress_uploads, echo, max_consecutive_timeouts,
     * keep_alive (false, Falco's default: a new connection for each alert, as Falco's curl handle per alert; true:
     * one connection reused).
     */
    public record Falco(HttpTls tls, boolean compress, boolean echo, int maxConsecutiveTimeouts, boolean keepAlive) {
        /** Without keep_alive: the connection is reused (programmatic use; falco.yaml's default is false). */
        public Falco(HttpTls tls, boolean compress, boolean echo, int maxConsecutiveTimeouts) {
            this(tls, compress, echo, maxConsecutiveTimeouts, true);
        }

        public static final Falco DEFAULT = new Falco(HttpTls.DEFAULT, false, false, 5);
    }

    private final Falco falco;
    private final javax.net.ssl.SSLContext tls;
    private int consecutiveTimeouts;

    private HttpClient newClient() {
        HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
        if (tls != null) cb.sslContext(tls);
        return cb.build();
    }

    public HttpOutput(String url, String userAgent, Duration timeout, int capacity, Path spoolDir, long spoolBytes, Falco falco) {
        super("http", capacity);
        this.falco = falco;
        try {
            this.url = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("http_output.url: not a URL: " + url);
        }
        if (this.url.getScheme() == null || !this.url.getScheme().matches("https?") || this.url.getHost() == null) {
            throw new IllegalArgumentException("http_output.url: not an http(s) URL: " + url);
        }
        this.userAgent = userAgent;
        this.timeout = timeout;
        this.tls = falco.tls().context();
        this.client = newClient();
        if (spoolDir != null) {
            try {
                this.spool = new HttpSpool(spoolDir, spoolBytes);
            } catch (IOException e) {
                throw new IllegalArgumentException("http_output: cannot use spool directory " + spoolDir + ": " + e.getMessage());
            }
            this.sender = Thread.ofPlatform().daemon().name("vigil-output-http-spool").start(this::sendSpooled);
        }
    }

    /** Bytes waiting in the spool (0 without one). */
    public long spooledBytes() {
        if (finalBytes >= 0) return finalBytes;
        try {
            return spool == null ? 0 : spool.bytes();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Alerts go to the sink directly while it takes them and nothing is spooled; else to the spool, in order. */
    private void deliver(String json) throws IOException {
        if (spool == null) {
            post(json, true);
            return;
        }
        if (!spool.pending() && post(json, false)) return;
        if (!spool.append(json)) throw new IOException("http_output: spool full");
    }

    private void sendSpooled() {
        while (!stopping) {
            try {
                spool.await(200);
                String line = spool.peek();
                if (line == null) continue;
                if (post(line, true)) spool.consume(line);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (stopping) return;
                countFailure(); // refused (4xx): consumed below so that one bad alert cannot block the spool
                try {
                    String line = spool.peek();
                    if (line != null) spool.consume(line);
                } catch (IOException ignored) {
                    // the spool itself failed: try again later
                }
            }
        }
    }

    @Override
    protected void closeDestination(Writer w) throws IOException {
        w.close();
    }

    /** Stops the spool sender; what is still spooled stays on disk for the next start. */
    public void stopSpool() {
        stopping = true;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                finalBytes = spool.bytes();
                spool.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static byte[] gzip(String s) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(s.length() / 2 + 32);
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(b)) {
            z.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    @Override
    public String render(Alert alert, String text, boolean jsonOutput) {
        return json(alert); // sinks (falcosidekick) take Falco's JSON alert
    }

    @Override
    protected Writer open() {
        return new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    if (c[i] == '\n') {
                        deliver(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c[i]);
                    }
                }
            }

            @Override
            public void write(String s) throws IOException {
                if (s.equals("\n")) {
                    deliver(line.toString());
                    line.setLength(0);
                } else {
                    line.append(s);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }

    /** POSTs one alert; {@code retry}: until the sink takes it (backoff 100 ms to 5 s), else one attempt. */
    private boolean post(String json, boolean retry) throws IOException {
        long backoff = 100;
        while (true) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                    .header("User-Agent", userAgent);
            if (falco.compress()) {
                rb.header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gzip(json)));
            } else {
                rb.POST(HttpRequest.BodyPublishers.ofString(json));
            }
            int code;
            // keep_alive false: a client (so a connection) of its own for this request, closed after it
            HttpClient c = falco.keepAlive() ? client : newClient();
            try {
                HttpResponse<String> r = c.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                code = r.statusCode();
                consecutiveTimeouts = 0;
                if (falco.echo()) System.out.println(r.body()); // Falco echoes the server's answer on stdout
            } catch (java.net.http.HttpTimeoutException e) {
                code = -1;
                // Falco's max_consecutive_timeouts: past it, this alert is given up (counted) instead of retried
                if (++consecutiveTimeouts >= falco.maxConsecutiveTimeouts()) {
                    consecutiveTimeouts = 0;
                    throw new IOException("http_output: " + url + ": " + falco.maxConsecutiveTimeouts() + " timeouts in a row");
                }
            } catch (IOException e) {
                code = -1;
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            } finally {
                if (c != client) c.shutdownNow();
            }
            if (code >= 200 && code < 300) return true;
            if (code >= 400 && code < 500 && code != 429 && code != 408) {
                throw new IOException("http_output: " + url + " refused the alert: HTTP " + code);
            }
            countFailure();
            if (!retry) return false;
            if (abandoned() || stopping) throw new IOException("http_output: gave up at shutdown");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
            backoff = Math.min(5000, backoff * 2);
        }
    }
}

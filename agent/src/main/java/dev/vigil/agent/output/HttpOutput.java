package dev.vigil.agent.output;

import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Each alert POSTed as its own request (the Falco JSON alert: falcosidekick's input), over a keep-alive
 * connection, in order. A sink that is down or answers 5xx/429 is retried with exponential backoff (100 ms to
 * 5 s) until it takes the alert, so alerts queue up (bounded: a full queue counts drops) and are delivered in
 * order, once each, when it is back. A 4xx other than 429 is a refusal: counted as failed, not retried.
 */
public final class HttpOutput extends Output {
    private final URI url;
    private final String userAgent;
    private final Duration timeout;
    private final HttpClient client;

    public HttpOutput(String url, String userAgent, Duration timeout, int capacity) {
        super("http", capacity);
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
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public String render(Alert alert, String text, boolean jsonOutput) {
        return alert.toJson(); // sinks (falcosidekick) take Falco's JSON alert
    }

    @Override
    protected Writer open() {
        return new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    if (c[i] == '\n') {
                        post(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c[i]);
                    }
                }
            }

            @Override
            public void write(String s) throws IOException {
                if (s.equals("\n")) {
                    post(line.toString());
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

    private void post(String json) throws IOException {
        long backoff = 100;
        while (true) {
            HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                    .header("User-Agent", userAgent).POST(HttpRequest.BodyPublishers.ofString(json)).build();
            int code;
            try {
                code = client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                code = -1;
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
            if (code >= 200 && code < 300) return;
            if (code >= 400 && code < 500 && code != 429 && code != 408) {
                throw new IOException("http_output: " + url + " refused the alert: HTTP " + code);
            }
            countFailure();
            if (abandoned()) throw new IOException("http_output: gave up at shutdown");
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
            backoff = Math.min(5000, backoff * 2);
        }
    }
}

package dev.vigil.bench.agent;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.agent.output.HttpOutput;
import dev.vigil.agent.output.HttpTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Alerts per second that http_output delivers to a local sink with Falco's keep_alive false (a new connection per
 * alert, Falco's default) and true (one connection), side by side in one run, with the connections the sink saw.
 * Usage: HttpKeepAlive [ALERTS] (default 2000; the first 200 of each run warm up and are not timed).
 */
public final class HttpKeepAlive {
    private HttpKeepAlive() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        AtomicInteger got = new AtomicInteger();
        Set<Integer> ports = ConcurrentHashMap.newKeySet();
        HttpServer sink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        sink.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ports.add(ex.getRemoteAddress().getPort());
            ex.sendResponseHeaders(200, -1);
            ex.close();
            got.incrementAndGet();
        });
        sink.start();
        String url = "http://127.0.0.1:" + sink.getAddress().getPort() + "/";
        try {
            for (boolean keepAlive : new boolean[] {false, true, false, true}) {
                HttpOutput out = new HttpOutput(url, "vigil-bench", Duration.ofSeconds(5), 0, null, 0,
                        new HttpOutput.Falco(HttpTls.DEFAULT, false, false, 5, keepAlive));
                out.start();
                int warm = Math.min(200, n / 10);
                got.set(0);
                for (int i = 0; i < warm; i++) out.offer("{\"rule\":\"warm\"}");
                await(got, warm);
                got.set(0);
                ports.clear();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) out.offer("{\"rule\":\"bench\",\"i\":" + i + "}");
                await(got, n);
                double s = (System.nanoTime() - t0) / 1e9;
                out.flushAndClose(5000);
                System.out.printf("keep_alive=%-5s alerts=%d seconds=%.3f alerts_per_s=%.0f connections=%d%n", keepAlive, n, s, n / s,
                        ports.size());
            }
        } finally {
            sink.stop(0);
        }
    }

    private static void await(AtomicInteger got, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (got.get() < n && System.nanoTime() < deadline) Thread.sleep(1);
        if (got.get() < n) throw new IllegalStateException("the sink got " + got.get() + " of " + n);
    }
}

package dev.vigil.policy.cilium;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.FdView;
import dev.vigil.events.L4Proto;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import dev.vigil.policy.PolicyEvent;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads netpol's flow records and turns each into a flow event in Hubble's shape (verdict, drop_reason_desc,
 * traffic_direction, IP, l4, source, destination), plus the process and the policy rule that decided. Counts flows by
 * verdict, direction and policy for the metrics. Every 2 s it asks the enforcer to re-read container addresses.
 */
final class FlowReader implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final String HOST = hostname();

    private final NetpolEnforcer enforcer;
    private final RingBuffer ring;
    private final Consumer<PolicyEvent> sink;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Map<Integer, NetpolCompiler.Compiled> endpoints = Map.of();
    /** Endpoint ids of earlier generations, so flows recorded just before a change still name their policy. */
    private final Map<Integer, NetpolCompiler.Compiled> previous = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    FlowReader(NetpolEnforcer enforcer, RingBuffer ring, Consumer<PolicyEvent> sink) {
        this.enforcer = enforcer;
        this.ring = ring;
        this.sink = sink;
        this.thread = Thread.ofPlatform().daemon().name("vigil-netpol-flows").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void endpoints(Map<Integer, NetpolCompiler.Compiled> now) {
        Map<Integer, NetpolCompiler.Compiled> before = endpoints;
        if (previous.size() > 4096) previous.clear();
        previous.putAll(before);
        endpoints = Map.copyOf(now);
    }

    private void loop() {
        long nextRefresh = System.nanoTime();
        while (!closed) {
            try {
                ring.poll(100, this::onRecord);
                if (System.nanoTime() >= nextRefresh) {
                    enforcer.refreshAddresses();
                    nextRefresh = System.nanoTime() + 2_000_000_000L;
                }
            } catch (RuntimeException e) {
                if (closed) return;
            }
        }
    }

    /** A flow record; a denied (or audited) one carries its {@code netpol_deny} rule event. */
    record Flow(Instant time, Map<String, Object> fields, EventView ruleEvent) implements PolicyEvent {
        @Override public String type() { return "flow"; }
        @Override public long timeNanos() { return time.getEpochSecond() * 1_000_000_000L + time.getNano(); }
    }

    private void onRecord(MemorySegment d, long o, int len) {
        if (len < NetpolMaps.FLOW.size()) return;
        long ts = d.get(U64, o);
        long container = d.get(U64, o + 16);
        long rules = d.get(U64, o + 24);
        int ep = d.get(U32, o + 32);
        int pid = d.get(U32, o + 36);
        byte[] commRaw = new byte[16];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, o + 40, commRaw, 0, 16);
        int verdict = d.get(ValueLayout.JAVA_BYTE, o + 56);
        int dir = d.get(ValueLayout.JAVA_BYTE, o + 57);
        int family = d.get(ValueLayout.JAVA_BYTE, o + 58);
        int proto = d.get(ValueLayout.JAVA_BYTE, o + 59) & 0xff;
        int reason = d.get(ValueLayout.JAVA_BYTE, o + 60) & 0xff;
        int tcpFlags = d.get(ValueLayout.JAVA_BYTE, o + 61) & 0xff;
        int sport = d.get(U16, o + 62) & 0xffff;
        int dport = d.get(U16, o + 64) & 0xffff;
        byte[] saddr = new byte[16], daddr = new byte[16];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, o + 72, saddr, 0, 16);
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, o + 88, daddr, 0, 16);

        long wall = KernelClock.realtimeNanos() - (KernelClock.bootTimeNanos() - ts);
        Instant time = Instant.ofEpochSecond(wall / 1_000_000_000L, wall % 1_000_000_000L);
        String verdictText = switch (verdict) {
            case 1 -> "FORWARDED";
            case 2 -> "DROPPED";
            case 3 -> "AUDIT";
            default -> "VERDICT_UNKNOWN";
        };
        String direction = dir == 0 ? "EGRESS" : "INGRESS";
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("time", time.toString());
        f.put("verdict", verdictText);
        String reasonText = reason == 181 ? "POLICY_DENY" : "POLICY_DENIED";
        if (verdict != 1) {
            f.put("drop_reason_desc", reasonText);
        }
        f.put("traffic_direction", direction);
        Map<String, Object> ip = new LinkedHashMap<>();
        ip.put("source", addr(family, saddr));
        ip.put("destination", addr(family, daddr));
        ip.put("ipVersion", family == 4 ? "IPv4" : "IPv6");
        f.put("IP", ip);
        Map<String, Object> l4 = new LinkedHashMap<>();
        String protoName = proto == 6 ? "TCP" : proto == 17 ? "UDP" : proto == 1 ? "ICMPv4" : proto == 58 ? "ICMPv6" : "PROTO_" + proto;
        Map<String, Object> ports = new LinkedHashMap<>();
        ports.put("source_port", sport);
        ports.put("destination_port", dport);
        if (proto == 6) ports.put("flags", tcpFlags(tcpFlags));
        l4.put(protoName, ports);
        f.put("l4", l4);

        NetpolCompiler.Compiled c = endpoints.get(ep);
        if (c == null) c = previous.get(ep);
        Map<String, Object> self = endpoint(c, container);
        NetpolEnforcer.Known peer = enforcer.byAddress(Cidr.host(family == 4 ? Arrays.copyOf(dir == 0 ? daddr : saddr, 4) : (dir == 0 ? daddr : saddr)));
        Map<String, Object> other = peer == null ? world() : endpoint(null, peer.key());
        f.put("source", dir == 0 ? self : other);
        f.put("destination", dir == 0 ? other : self);
        if (pid != 0) {
            Map<String, Object> proc = new LinkedHashMap<>();
            proc.put("pid", pid);
            proc.put("comm", cstr(commRaw));
            f.put("process", proc);
        }
        String policyName = null, ruleWhere = "";
        if (c != null && rules != 0) {
            List<NetpolCompiler.RuleRef> refs = dir == 0 ? c.egress().rules() : c.ingress().rules();
            NetpolCompiler.RuleRef chosen = null;
            for (int i = 0; i < refs.size(); i++) {
                if ((rules & (1L << i)) == 0) continue;
                NetpolCompiler.RuleRef r = refs.get(i);
                if (chosen == null || (r.deny() && !chosen.deny())) chosen = r;
            }
            if (chosen != null) {
                Map<String, Object> pol = new LinkedHashMap<>();
                pol.put("name", chosen.policy());
                pol.put("kind", chosen.kind());
                pol.put("rule", chosen.where().toString());
                ruleWhere = chosen.where().toString();
                pol.put("deny", chosen.deny());
                f.put("policy", pol);
                policyName = chosen.policy();
            }
        } else if (c != null && verdict != 1) {
            Map<String, Object> pol = new LinkedHashMap<>();
            pol.put("name", String.join(",", c.policies()));
            pol.put("kind", String.join(",", c.kinds().stream().distinct().toList()));
            pol.put("default_deny", true);
            f.put("policy", pol);
            policyName = String.join(",", c.policies());
        }
        EventView ruleEvent = verdict == 1 ? null
                : ruleEvent(wall, verdictText, direction, family, proto, saddr, sport, daddr, dport, policyName,
                        ruleWhere, reasonText, pid, cstr(commRaw), c != null ? c.endpoint() : null, container);
        f.put("Type", "L3_L4");
        f.put("node_name", HOST);
        f.put("is_reply", false);
        f.put("Summary", protoName + (proto == 6 ? " Flags: " + String.join(", ", tcpFlags(tcpFlags).keySet()) : ""));
        counters.computeIfAbsent("flows_total{verdict=\"" + verdictText + "\",direction=\"" + direction + "\",policy=\""
                + (policyName == null ? "" : policyName.replace("\"", "")) + "\"}", k -> new AtomicLong()).incrementAndGet();
        sink.accept(new Flow(time, f, ruleEvent));
    }

    private static final AtomicLong RULE_EVENTS = new AtomicLong();

    /**
     * The denied flow as a {@code netpol_deny} event: the tuple is source->destination of the flow (for egress the
     * container is the client, for ingress the server), the process is what the kernel saw (pid, comm), the container
     * the enforcer's (Docker's metadata).
     */
    private EventView ruleEvent(long wallNanos, String verdict, String direction, int family, int proto, byte[] saddr, int sport,
            byte[] daddr, int dport, String policy, String rule, String reason, int pid, String comm,
            NetpolCompiler.Endpoint self, long containerKey) {
        boolean egress = direction.equals("EGRESS");
        Fd.Builder fd = Fd.builder().ip(addr(family, saddr), sport, addr(family, daddr), dport)
                .l4proto(proto == 6 ? L4Proto.TCP : proto == 17 ? L4Proto.UDP : proto == 1 || proto == 58 ? L4Proto.ICMP : L4Proto.UNKNOWN)
                .role(egress ? FdView.ROLE_CLIENT : FdView.ROLE_SERVER).connected(false);
        Event.Builder b = Event.builder(EventType.NETPOL_DENY).num(RULE_EVENTS.incrementAndGet()).timestamp(wallNanos)
                .arg("verdict", verdict).arg("direction", direction)
                .arg("tuple", addr(family, saddr) + ":" + sport + "->" + addr(family, daddr) + ":" + dport)
                .arg("policy", policy == null ? "" : policy).arg("rule", rule).arg("reason", reason)
                .fd(fd.build());
        if (pid != 0) b.process(dev.vigil.events.Process.builder().pid(pid).name(comm).build());
        NetpolEnforcer.Known k = enforcer.container(self != null ? self.key() : containerKey);
        if (k != null) {
            b.container(k.info()); // Docker's view, as the sensor's resolver gives it
        } else if (self != null && !self.id().isEmpty()) {
            Container.Builder cb = Container.builder().id(self.id().substring(0, Math.min(12, self.id().length())))
                    .fullId(self.id()).name(self.name()).image(self.image());
            self.labels().forEach(cb::label);
            b.container(cb.build());
        }
        return b.build();
    }

    private Map<String, Object> endpoint(NetpolCompiler.Compiled c, long key) {
        Map<String, Object> m = new LinkedHashMap<>();
        NetpolEnforcer.Known k = enforcer.container(key);
        NetpolCompiler.Endpoint e = c != null ? c.endpoint() : k != null ? NetpolEnforcer.endpoint(k) : null;
        if (e == null) {
            m.put("labels", List.of("reserved:unknown"));
            m.put("container", Map.of("key", Long.toHexString(key)));
            return m;
        }
        List<String> labels = new ArrayList<>();
        e.labels().forEach((lk, lv) -> labels.add("container:" + lk + "=" + lv));
        m.put("labels", labels);
        Map<String, Object> ct = new LinkedHashMap<>();
        ct.put("id", e.id());
        ct.put("name", e.name());
        ct.put("image", e.image());
        m.put("container", ct);
        String ns = e.labels().get(CiliumKind.NAMESPACE_LABEL);
        if (ns != null) m.put("namespace", ns);
        String pod = e.labels().get("io.kubernetes.pod.name");
        if (pod != null) m.put("pod_name", pod);
        return m;
    }

    private static Map<String, Object> world() {
        return Map.of("labels", List.of("reserved:world"));
    }

    private static Map<String, Object> tcpFlags(int f) {
        Map<String, Object> m = new LinkedHashMap<>();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < 8; i++) {
            if ((f & (1 << i)) != 0) m.put(names[i], true);
        }
        return m;
    }

    private static String addr(int family, byte[] a) {
        try {
            return InetAddress.getByAddress(family == 4 ? Arrays.copyOf(a, 4) : a).getHostAddress();
        } catch (UnknownHostException e) {
            return "";
        }
    }

    private static String cstr(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        ring.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ring.close();
    }
}

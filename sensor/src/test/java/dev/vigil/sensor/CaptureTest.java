package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.ProcessView;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture files from a real sensor run: round trip, truncation at many offsets, damaged headers and bodies. */
class CaptureTest {
    @TempDir static Path dir;
    static Path file;
    static byte[] bytes;
    static byte[] bytesV2; // the same events in format version 2, as older Vigils wrote them
    static final List<Event> original = new ArrayList<>();
    static long helperPid;
    static String marker;

    @BeforeAll
    static void capture() throws Exception {
        KernelTests.assumeKernel();
        SensorHarness.helper();
        file = dir.resolve("c.vcap");
        Files.createDirectories(dir.resolve("fam"));
        marker = dir.resolve("marker").toString();
        try (Sensor s = Sensor.start(Selection.all())) {
            s.filterComms(List.of("sensor_helper"));
            CaptureWriter.Meta meta = CaptureWriter.Meta.now(s.selection());
            CaptureWriter w = CaptureWriter.create(file, meta, s.processTable());
            CaptureWriter w2 = new CaptureWriter(Files.newOutputStream(dir.resolve("v2.vcap")), meta, s.processTable(), 2);
            Thread t = Thread.ofPlatform().start(() -> s.run(ev -> {
                w.write(ev);
                w2.write(ev);
                original.add(ev.snapshot());
            }));
            helperPid = SensorHarness.run("files", dir.resolve("fam").toString()).pid();
            SensorHarness.run("tree", "3", marker);
            SensorHarness.run("open-rel", dir.toString(), "nope/x");
            Thread.sleep(300);
            s.stop();
            t.join(5000);
            w.close();
            w2.close();
        }
        bytes = Files.readAllBytes(file);
        bytesV2 = Files.readAllBytes(dir.resolve("v2.vcap"));
    }

    static List<CapturedEvent> readAll(CaptureReader r) {
        List<CapturedEvent> l = new ArrayList<>();
        r.forEach(l::add);
        return l;
    }

    static void assertSame(EventView a, Event b) {
        assertThat(a.type()).isEqualTo(b.type());
        assertThat(a.num()).isEqualTo(b.num());
        assertThat(a.timestamp()).isEqualTo(b.timestamp());
        assertThat(a.rawRes()).isEqualTo(b.rawRes());
        for (int i = 0; i < b.type().paramCount(); i++) {
            assertThat(a.argLong(i)).as(b + " slot " + i).isEqualTo(b.argLong(i));
            assertThat(Objects.toString(a.argStr(i), null)).as(b + " slot " + i).isEqualTo(Objects.toString(b.argStr(i), null));
        }
        if (b.fd() == null) {
            assertThat(a.fd()).isNull();
        } else {
            assertThat(a.fd().num()).isEqualTo(b.fd().num());
            assertThat(a.fd().type()).isEqualTo(b.fd().type());
            assertThat(str(a.fd().name())).isEqualTo(str(b.fd().name()));
            assertThat(str(a.fd().nameRaw())).isEqualTo(str(b.fd().nameRaw()));
        }
        ProcessView p = a.process(), q = b.process();
        for (int depth = 0; q != null; depth++, p = p.parent(), q = q.parent()) {
            assertThat(p).as(b + " ancestor " + depth).isNotNull();
            assertThat(p.pid()).isEqualTo(q.pid());
            assertThat(p.ppid()).isEqualTo(q.ppid());
            assertThat(str(p.name())).isEqualTo(str(q.name()));
            assertThat(str(p.exePath())).isEqualTo(str(q.exePath()));
            assertThat(str(p.cwd())).isEqualTo(str(q.cwd()));
            assertThat(str(p.cmdline())).isEqualTo(str(q.cmdline()));
            assertThat(p.uid()).isEqualTo(q.uid());
            assertThat(str(p.userName())).isEqualTo(str(q.userName()));
        }
    }

    static String str(CharSequence s) { return s == null ? null : s.toString(); }

    @Test
    void roundTrip() throws Exception {
        assertThat(original).as("captured events").hasSizeGreaterThan(10);
        assertThat(original).anyMatch(e -> e.type() == EventType.RENAME && e.process().pid() == helperPid);
        assertThat(original).anyMatch(e -> e.type() == EventType.EXECVE);
        try (CaptureReader r = CaptureReader.open(file)) {
            assertThat(r.info().version()).isEqualTo(CaptureFormat.VERSION);
            assertThat(r.info().meta().selection()).contains("openat");
            assertThat(r.startingProcesses()).anyMatch(p -> p.pid() == ProcessHandle.current().pid());
            List<CapturedEvent> got = readAll(r);
            assertThat(got).hasSameSizeAs(original);
            for (int i = 0; i < got.size(); i++) assertSame(got.get(i), original.get(i));
            CapturedEvent ren = got.stream().filter(e -> e.type() == EventType.RENAME).findFirst().orElseThrow();
            assertThat(ren.pid()).isEqualTo(helperPid);
            assertThat(ren.process().parent().pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(ren.cgroupId()).isPositive();
            assertThat(r.eventsRead()).isEqualTo(original.size());
        }
        // the deepest child of "tree" opened the marker: its ancestry is replayed four levels deep
        try (CaptureReader r = CaptureReader.open(file)) {
            CapturedEvent open = readAll(r).stream()
                    .filter(e -> e.type().isOpen() && e.fd() != null && marker.equals(str(e.fd().name())))
                    .findFirst().orElseThrow();
            ProcessView p = open.process();
            int helpers = 0;
            while (p != null && "sensor_helper".equals(str(p.name()))) {
                helpers++;
                p = p.parent();
            }
            assertThat(helpers).as("the helper and its chain of 3 forks").isEqualTo(4);
            assertThat(p.pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void truncationDeliversEveryCompleteEventThenNamesTheOffset() throws Exception {
        int steps = 400;
        int lastCount = 0;
        for (int k = 0; k <= steps; k++) {
            int cut = k < 40 ? k : (int) ((long) bytes.length * (k - 40) / (steps - 40));
            if (cut >= bytes.length) break;
            List<CapturedEvent> got = new ArrayList<>();
            CaptureException ex;
            try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(bytes, 0, cut), "cut")) {
                ex = catchThrowableOfType(CaptureException.class, () -> r.forEach(got::add));
            } catch (CaptureException e) {
                ex = e;
            }
            assertThat(ex).as("cut at " + cut + " of " + bytes.length).isNotNull();
            assertThat(ex.getMessage()).contains("byte offset").contains("capture cut");
            assertThat(ex.fileOffset()).isLessThanOrEqualTo(cut);
            assertThat(got.size()).as("events before cut " + cut).isGreaterThanOrEqualTo(lastCount);
            for (int i = 0; i < got.size(); i++) assertSame(got.get(i), original.get(i));
            if (!got.isEmpty()) assertThat(ex.eventsBefore()).isEqualTo(got.size());
            lastCount = got.size();
        }
        // a cut just before the end still yields almost everything
        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(bytes, 0, bytes.length - 1), "cut")) {
            List<CapturedEvent> got = new ArrayList<>();
            assertThatThrownBy(() -> r.forEach(got::add)).isInstanceOf(CaptureException.class).hasMessageContaining("truncated");
            assertThat(got).hasSize(original.size());
        }
    }

    @Test
    void aVersion2FileReadsTheSameEvents() throws Exception {
        assertThat(bytes.length).as("the compact encoding is smaller").isLessThan(bytesV2.length);
        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(bytesV2), "v2")) {
            assertThat(r.info().version()).isEqualTo(2);
            List<CapturedEvent> got = readAll(r);
            assertThat(got).hasSize(original.size());
            for (int i = 0; i < got.size(); i++) assertSame(got.get(i), original.get(i));
        }
    }

    /** Version 1 differs from 2 only by having no container records: such a file (the v2 one, relabelled) still reads. */
    @Test
    void aVersion1FileIsStillRead() throws Exception {
        byte[] v1 = bytesV2.clone();
        v1[8] = 0;
        v1[9] = 1;
        int metaLen = (v1[10] & 0xff) << 24 | (v1[11] & 0xff) << 16 | (v1[12] & 0xff) << 8 | (v1[13] & 0xff);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v1, 8, 6 + metaLen);
        java.nio.ByteBuffer.wrap(v1, 14 + metaLen, 4).putInt((int) crc.getValue());
        try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(v1), "v1")) {
            assertThat(r.info().version()).isEqualTo(1);
            assertThat(readAll(r)).hasSize(original.size());
        }
    }

    @Test
    void damagedHeaders() {
        byte[] b = bytes.clone();
        b[0] = 'X';
        assertThatThrownBy(() -> CaptureReader.open(new ByteArrayInputStream(b), "x"))
                .isInstanceOf(CaptureException.class).hasMessageContaining("not a Vigil capture").hasMessageContaining("byte offset 0");
        byte[] v = bytes.clone();
        v[9] = 7;
        assertThatThrownBy(() -> CaptureReader.open(new ByteArrayInputStream(v), "x"))
                .isInstanceOf(CaptureException.class).hasMessageContaining("unsupported capture format version 7")
                .hasMessageContaining("byte offset 8");
        byte[] m = bytes.clone();
        m[20] ^= 0x40;
        assertThatThrownBy(() -> CaptureReader.open(new ByteArrayInputStream(m), "x"))
                .isInstanceOf(CaptureException.class).hasMessageContaining("corrupt header");
        assertThatThrownBy(() -> CaptureReader.open(new ByteArrayInputStream(new byte[3]), "x"))
                .isInstanceOf(CaptureException.class).hasMessageContaining("not a Vigil capture");
    }

    @Test
    void corruptBodyStopsWithAClearErrorAfterTheGoodEvents() throws Exception {
        int flips = 0;
        // past the file header and gzip's own 10-byte header, whose time and OS bytes no reader checks
        int metaLen = (bytes[10] & 0xff) << 24 | (bytes[11] & 0xff) << 16 | (bytes[12] & 0xff) << 8 | (bytes[13] & 0xff);
        int body = 18 + metaLen + 10;
        for (int at = Math.max(body, bytes.length / 10); at < bytes.length - 8; at += Math.max(1, bytes.length / 25)) {
            byte[] b = bytes.clone();
            b[at] ^= 0x5a;
            List<CapturedEvent> got = new ArrayList<>();
            Exception ex;
            try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(b), "bad")) {
                ex = catchThrowableOfType(CaptureException.class, () -> r.forEach(got::add));
            } catch (CaptureException e) {
                ex = e;
            }
            assertThat(ex).as("flip at " + at).isNotNull();
            assertThat(ex.getMessage()).contains("byte offset");
            for (int i = 0; i < got.size(); i++) assertSame(got.get(i), original.get(i));
            flips++;
        }
        assertThat(flips).isGreaterThan(10);
    }
}

package dev.vigil.ebpf.symbol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names for addresses: ELF tables (with debug files found by build id and MiniDebugInfo), kallsyms, perf maps. */
class SymbolizerTest {
    private static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

    @TempDir
    Path dir;

    @Test
    void aLibcFunctionInThisProcessResolvesByName() {
        MemorySegment getppid = Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow();
        Symbolizer.Frame f = new Symbolizer().user((int) ProcessHandle.current().pid(), getppid.address() + 2);
        assertThat(f.name()).isEqualTo("getppid");
        assertThat(f.offset()).isEqualTo(2);
        assertThat(f.module()).isEqualTo("libc.so.6");
    }

    @Test
    void elfOfLibc() throws IOException {
        ElfFile elf = ElfFile.open(LIBC);
        assertThat(elf.isFixedAddress()).isFalse();
        assertThat(elf.buildId()).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{40}"));
        assertThat(elf.functionSymbols()).extracting(SymbolTable.Symbol::name).contains("getppid", "getaddrinfo");
        long vaddr = elf.functionSymbols().stream().filter(s -> s.name().equals("getppid")).findFirst().orElseThrow().address();
        assertThat(elf.vaddrOfFileOffset(elf.fileOffsetOfVaddr(vaddr))).isEqualTo(vaddr);
    }

    @Test
    void strippedBinaryNamedFromMiniDebugInfoAndFromABuildIdDebugFile() throws Throwable {
        Path src = Path.of(System.getProperty("user.dir")).resolve("src/test/c/symbols.c");
        Path full = dir.resolve("symbols");
        run("gcc", "-O1", "-o", full.toString(), src.toString());
        ElfFile fullElf = ElfFile.open(full);
        long vaddr = fullElf.functionSymbols().stream().filter(s -> s.name().equals("only_in_symtab"))
                .findFirst().orElseThrow().address();
        Path stripped = dir.resolve("stripped");
        run("strip", "--strip-all", "-o", stripped.toString(), full.toString());
        BinarySymbols plain = BinarySymbols.load(stripped, List.of());
        assertThat(plain.sources()).isEqualTo("dynsym");
        assertThat(plain.lookupVaddr(vaddr)).isNull();

        // MiniDebugInfo: the symbol table in an xz-compressed ELF, in the binary's .gnu_debugdata
        Path debug = dir.resolve("symbols.debug");
        run("objcopy", "--only-keep-debug", full.toString(), debug.toString());
        Path xz = dir.resolve("mini.xz");
        Files.write(xz, xzCompress(Files.readAllBytes(debug)));
        Path withMini = dir.resolve("with-mini");
        run("objcopy", "--add-section", ".gnu_debugdata=" + xz, stripped.toString(), withMini.toString());
        BinarySymbols mini = BinarySymbols.load(withMini, List.of());
        assertThat(mini.sources()).isEqualTo("dynsym+gnu_debugdata");
        assertThat(mini.lookupVaddr(vaddr + 1)).isEqualTo(new SymbolTable.Hit("only_in_symtab", 1));
        long fileOffset = fullElf.fileOffsetOfVaddr(vaddr);
        assertThat(mini.lookupFileOffset(fileOffset)).isEqualTo(new SymbolTable.Hit("only_in_symtab", 0));

        // a debug file under ROOT/.build-id/xx/rest.debug
        String id = ElfFile.open(stripped).buildId().orElseThrow();
        Path root = dir.resolve("debug-root");
        Path byId = root.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
        Files.createDirectories(byId.getParent());
        Files.copy(debug, byId);
        BinarySymbols viaId = BinarySymbols.load(stripped, List.of(dir.resolve("absent"), root));
        assertThat(viaId.sources()).isEqualTo("dynsym+build-id debug file");
        assertThat(viaId.lookupVaddr(vaddr)).isEqualTo(new SymbolTable.Hit("only_in_symtab", 0));
    }

    @Test
    void kallsymsTextSymbolsOnly() throws IOException {
        Path k = dir.resolve("kallsyms");
        Files.writeString(k, """
                ffffffff81000000 T _stext
                ffffffff81000100 t helper_one
                ffffffff81000200 D some_data
                ffffffff81000300 W weak_fn
                ffffffffc0001000 t mod_fn\t[mymod]
                """);
        KernelSymbols ks = KernelSymbols.load(k);
        assertThat(ks.hidden()).isFalse();
        assertThat(ks.lookup(0xffffffff81000180L)).isEqualTo(new SymbolTable.Hit("helper_one", 0x80));
        assertThat(ks.lookup(0xffffffff81000210L)).isEqualTo(new SymbolTable.Hit("helper_one", 0x110)); // data is not text
        assertThat(ks.lookup(0xffffffffc0001004L).name()).isEqualTo("mod_fn");
        assertThat(ks.lookup(0xffffffff80000000L)).isNull();

        Files.writeString(k, "0000000000000000 T _stext\n0000000000000000 t helper\n");
        assertThat(KernelSymbols.load(k).hidden()).isTrue();
    }

    @Test
    void theRealKallsymsNameTheScheduler() throws IOException {
        if (!Files.isReadable(KernelSymbols.KALLSYMS)) {
            return;
        }
        String line = Files.lines(KernelSymbols.KALLSYMS).filter(l -> l.endsWith(" T schedule")).findFirst().orElse(null);
        KernelSymbols ks = KernelSymbols.load();
        if (line == null || ks.hidden()) {
            return; // not root: kallsyms reads zeroes
        }
        long address = Long.parseUnsignedLong(line.substring(0, 16), 16);
        assertThat(new Symbolizer().kernel(address + 4).name()).isEqualTo("schedule");
    }

    @Test
    void perfMapNewestLineWins() throws IOException {
        Path map = dir.resolve("perf-1.map");
        Files.writeString(map, """
                7f0000001000 40 Interpreter
                7f0000002000 100 LFoo;::bar
                7f0000002000 80 LFoo;::barRecompiled
                0x7f0000003000 0x10 LFoo;::baz
                garbage line
                """);
        PerfMap pm = PerfMap.load(map);
        assertThat(pm.size()).isEqualTo(3);
        assertThat(pm.lookup(0x7f0000002010L).name()).isEqualTo("LFoo;::barRecompiled");
        assertThat(pm.lookup(0x7f0000002090L)).isNull();
        assertThat(pm.lookup(0x7f0000003001L).name()).isEqualTo("LFoo;::baz");
        assertThat(PerfMap.load(dir.resolve("absent"))).isSameAs(PerfMap.NONE);
    }

    @Test
    void procMapsLines() throws IOException {
        ProcessMaps maps = ProcessMaps.parse(new StringReader("""
                55d0c0000000-55d0c0001000 r--p 00000000 fd:01 42   /usr/bin/prog
                55d0c0001000-55d0c0002000 r-xp 00001000 fd:01 42   /usr/bin/prog
                7f0000000000-7f0000100000 rwxp 00000000 00:00 0
                7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
                7f1000000000-7f1000001000 r-xp 00000000 fd:01 43   /tmp/gone (deleted)
                """));
        assertThat(maps.find(0x55d0c0001234L)).satisfies(m -> {
            assertThat(m.path()).isEqualTo("/usr/bin/prog");
            assertThat(m.offset()).isEqualTo(0x1000);
            assertThat(m.isFile()).isTrue();
        });
        assertThat(maps.find(0x7f0000000010L).isFile()).isFalse();
        assertThat(maps.find(0x7ffd00000001L).path()).isEqualTo("[vdso]");
        assertThat(maps.find(0x7f1000000001L).path()).isEqualTo("/tmp/gone");
        assertThat(maps.find(0x1000)).isNull();
    }

    @Test
    void corruptXzGivesNothing() {
        assertThat(Xz.decompress(new byte[] {1, 2, 3})).isEmpty();
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    /** lzma_easy_buffer_encode, the way MiniDebugInfo is made (xz, CRC64). */
    private static byte[] xzCompress(byte[] in) throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("liblzma.so.5", Arena.global());
        MethodHandle encode = Linker.nativeLinker().downcallHandle(lib.find("lzma_easy_buffer_encode").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try (Arena a = Arena.ofConfined()) {
            long cap = in.length + 65536L;
            MemorySegment out = a.allocate(cap);
            MemorySegment outPos = a.allocateFrom(ValueLayout.JAVA_LONG, 0L);
            int rc = (int) encode.invokeExact(6, 4 /* LZMA_CHECK_CRC64 */, MemorySegment.NULL,
                    a.allocateFrom(ValueLayout.JAVA_BYTE, in), (long) in.length, out, outPos, cap);
            assertThat(rc).isZero();
            return out.asSlice(0, outPos.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
        }
    }
}

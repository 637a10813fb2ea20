package dev.vigil.cli;

import dev.vigil.events.EventType;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.Rules;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.fields.FieldDef;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.output.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The text Falco's informational flags print ({@code -L}, {@code -l}, {@code --list}, {@code -V}, ...), Falco's layout. */
final class FalcoListings {
    /** The event sources Vigil has (Falco's syscall source; plugins' sources are not available). */
    static final List<String> SOURCES = List.of("syscall");
    static final String ENGINE_VERSION = "0.62.0";
    private static final String RULE_HEADER = String.format("%-50s %s", "Rule", "Description");
    private static final String RULE_RULER = String.format("%-50s %s", "----", "-----------");
    private static final String CLASS_RULER = "-".repeat(79);

    private FalcoListings() {}

    /** {@code -L}: every loaded rule, name and description, in load order. */
    static void listRules(RuleSet rs, PrintStream out) {
        out.println(RULE_HEADER);
        out.println(RULE_RULER);
        for (CompiledRule r : rs.rules()) out.println(ruleLine(r));
    }

    /** {@code -l RULE}: that rule's name and description; false when there is no such rule. */
    static boolean describeRule(RuleSet rs, String name, PrintStream out) {
        CompiledRule r = rs.rule(name);
        if (r == null) return false;
        out.println(RULE_HEADER);
        out.println(RULE_RULER);
        out.println(ruleLine(r));
        return true;
    }

    private static String ruleLine(CompiledRule r) {
        return String.format("%-50s %s", r.name(), r.description().strip().replaceAll("\\s+", " "));
    }

    /**
     * {@code --list [SOURCE]}: the fields by class, each "name  description" (with {@code -N} the names only, one
     * a line). Unknown source: false.
     */
    static boolean listFields(String source, boolean namesOnly, PrintStream out) {
        if (source != null && !source.isEmpty() && !SOURCES.contains(source)) return false;
        String cls = null;
        if (!namesOnly) out.println("Event Sources: " + String.join(", ", SOURCES));
        for (FieldDef d : FieldRegistry.fields()) {
            if (!d.available()) continue;
            String name = d.name() + (d.arg() == FieldDef.ArgMode.NONE ? "" : d.arg() == FieldDef.ArgMode.DYNAMIC ? ".NAME" : "[...]");
            if (namesOnly) {
                out.println(name);
                continue;
            }
            String c = d.name().substring(0, d.name().indexOf('.'));
            if (!c.equals(cls)) {
                out.println();
                out.println(CLASS_RULER);
                out.println("Field Class:                  " + c);
                out.println("Event Sources:                syscall");
                out.println();
                cls = c;
            }
            out.printf("%-29s %s%n", name, d.description());
        }
        return true;
    }

    /** {@code --list-events}: the syscall events Vigil decodes, with their parameters, as Falco lists them. */
    static void listEvents(PrintStream out) {
        out.println("Syscall events:");
        out.println();
        for (EventType t : EventType.values()) {
            StringBuilder sb = new StringBuilder("< ").append(t.falcoName()).append('(');
            for (int i = 0; i < t.paramCount(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(t.param(i).type()).append(' ').append(t.param(i).name());
            }
            out.println(sb.append(')'));
        }
    }

    /**
     * {@code -V FILE}: Falco's validation report ("Validating rules file(s):", then per file "FILE: Ok" or
     * "FILE: Invalid" with the problems as FILE:LINE:COL lines). Returns the exit code.
     */
    static int validate(List<Path> files, PrintStream out) {
        out.println("Validating rules file(s):");
        for (Path f : files) out.println("   " + f);
        for (Path f : files) {
            if (!Files.isReadable(f)) throw new IllegalArgumentException(f + ": cannot read the file");
        }
        Rules.Validation v = Rules.validate(files);
        for (Path f : files) {
            List<Diagnostic> mine = v.diagnostics().stream().filter(d -> d.toString().startsWith(f + ":")).toList();
            boolean bad = mine.stream().anyMatch(Diagnostic::isError);
            out.println(f + ": " + (bad ? "Invalid" : "Ok" + (mine.isEmpty() ? "" : ", with warnings")));
            for (Diagnostic d : mine) out.println(d);
        }
        for (Diagnostic d : v.diagnostics()) {
            boolean shown = false;
            for (Path f : files) shown |= d.toString().startsWith(f + ":");
            if (!shown) out.println(d);
        }
        return v.exitCode();
    }

    /** {@code --support}: Falco's support JSON: version, engine, system, command line, config, rule files' contents. */
    static void support(String configText, List<String> ruleFiles, String cmdline, PrintStream out) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        String v = Vigil.class.getPackage().getImplementationVersion();
        m.put("version", "vigil " + (v == null ? "development build" : v));
        m.put("engine_info", Map.of("engine_version", ENGINE_VERSION, "engine_version_semver", ENGINE_VERSION));
        Map<String, Object> sys = new LinkedHashMap<>();
        sys.put("sysname", System.getProperty("os.name"));
        sys.put("nodename", hostname());
        sys.put("release", read("/proc/sys/kernel/osrelease"));
        sys.put("version", read("/proc/sys/kernel/version"));
        sys.put("machine", System.getProperty("os.arch"));
        m.put("system_info", sys);
        m.put("cmdline", cmdline);
        m.put("config", configText);
        List<Map<String, Object>> files = new java.util.ArrayList<>();
        for (String f : ruleFiles) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", f);
            Path p = Path.of(f);
            e.put("content", Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8) : "");
            files.add(e);
        }
        m.put("rules_files", files);
        StringBuilder sb = new StringBuilder();
        Json.value(sb, m);
        out.println(sb);
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostname() {
        String h = read("/proc/sys/kernel/hostname");
        return h.isEmpty() ? "localhost" : h;
    }
}

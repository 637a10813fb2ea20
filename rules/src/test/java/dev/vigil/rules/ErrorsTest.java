package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.rules.engine.RulesEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Bad input: every problem as FILE:LINE:COL: message, at the exact place; guards against hostile input. */
class ErrorsTest {
    static String ruleWith(String cond) {
        return "- rule: R\n  desc: d\n  condition: " + cond + "\n  output: o\n  priority: INFO\n";
    }

    @Test
    void unknownFieldInPlainScalar() {
        assertThat(diags(ruleWith("evt.type=open and proc.nmae=x"))).containsExactly("f1.yaml:3:32: unknown field 'proc.nmae'");
    }

    @Test
    void unknownFieldInQuotedScalars() {
        assertThat(diags(ruleWith("\"evt.type=open and proc.nmae=x\""))).containsExactly("f1.yaml:3:33: unknown field 'proc.nmae'");
        assertThat(diags(ruleWith("'evt.type=open and ''x''=y or proc.nmae=x'"))).containsExactly(
                "f1.yaml:3:33: in rule 'R': expected a field, a macro, 'not' or '(' but found '''");
    }

    @Test
    void unknownFieldInFoldedAndLiteralBlocks() {
        String folded = "- rule: R\n  desc: d\n  condition: >\n    evt.type=open\n    and (proc.name=x or\n         fd.nmae=y)\n  output: o\n  priority: INFO\n";
        assertThat(diags(folded)).containsExactly("f1.yaml:6:10: unknown field 'fd.nmae'");
        String literal = folded.replace("condition: >", "condition: |");
        assertThat(diags(literal)).containsExactly("f1.yaml:6:10: unknown field 'fd.nmae'");
    }

    @Test
    void unknownMacroAndListMisuse() {
        assertThat(diags(ruleWith("evt.type=open and not my_macro"))).containsExactly("f1.yaml:3:36: undefined macro 'my_macro'");
        assertThat(diags("- list: l\n  items: [a]\n" + ruleWith("evt.type=open and l"))).containsExactly(
                "f1.yaml:5:32: 'l' is a list, not a macro: use it inside in (...)");
    }

    @Test
    void errorInsideAMacroIsReportedAtTheMacro() {
        String y = "- macro: m\n  condition: proc.name contians x\n" + ruleWith("evt.type=open and m");
        assertThat(diags(y)).containsExactly("f1.yaml:2:24: in macro 'm': unknown operator 'contians' after 'proc.name'");
        String y2 = "- macro: m\n  condition: fd.num startswith 3\n" + ruleWith("evt.type=open and m");
        assertThat(diags(y2)).containsExactly("f1.yaml:2:21: operator 'startswith' cannot be used with field 'fd.num' of type INT64");
    }

    @Test
    void badOperatorForType() {
        assertThat(diags(ruleWith("evt.type=open and fd.num contains 3"))).containsExactly(
                "f1.yaml:3:39: operator 'contains' cannot be used with field 'fd.num' of type INT64");
        assertThat(diags(ruleWith("evt.type=open and fd.num = abc"))).containsExactly(
                "f1.yaml:3:41: 'abc' is not a number for field 'fd.num' of type INT64");
        assertThat(diags(ruleWith("evt.type=open and fd.sip = nothost"))).containsExactly(
                "f1.yaml:3:41: 'nothost' is not an IP address or network for field 'fd.sip'");
        assertThat(diags(ruleWith("evt.type=open and proc.name regex '(unclosed'"))).singleElement().asString()
                .startsWith("f1.yaml:3:48: invalid regular expression '(unclosed'");
        assertThat(diags(ruleWith("evt.type in (open, bogus)"))).containsExactly("f1.yaml:3:33: unknown event type 'bogus'");
    }

    @Test
    void syntaxErrors() {
        assertThat(diags(ruleWith("evt.type=open and (proc.name=x"))).containsExactly(
                "f1.yaml:3:32: in rule 'R': unbalanced '(': missing ')'");
        assertThat(diags(ruleWith("evt.type=open and proc.name = \"abc"))).containsExactly(
                "f1.yaml:3:44: in rule 'R': unterminated quoted string");
        assertThat(diags(ruleWith("evt.type=open and"))).containsExactly(
                "f1.yaml:3:31: in rule 'R': unexpected end of condition, expected a field, a macro, 'not' or '('");
        assertThat(diags(ruleWith("evt.type=open proc.name=x"))).containsExactly("f1.yaml:3:28: in rule 'R': unexpected 'proc.name'");
    }

    @Test
    void unknownOutputField() {
        assertThat(diags("- rule: R\n  desc: d\n  condition: evt.type=open\n  output: \"file=%fd.name who=%user.nam\"\n  priority: INFO\n"))
                .containsExactly("f1.yaml:4:31: unknown field 'user.nam'");
    }

    @Test
    void yamlErrors() {
        assertThat(diags("- rule: R\n  desc: [unclosed\n")).singleElement().asString().startsWith("f1.yaml:3:1: invalid YAML:");
        assertThat(diags("- rule: R\n  desc: d\n desc2: x\n")).singleElement().asString().startsWith("f1.yaml:3:2: invalid YAML:");
        assertThat(diags("rule: R\n")).containsExactly(
                "f1.yaml:1:1: a rules file must be a YAML list of items (- rule: ..., - macro: ..., - list: ...)");
        assertThat(diags("- rule: R\n  desc: d\n")).containsExactly("f1.yaml:1:9: rule 'R' has no 'condition'",
                "f1.yaml:1:9: rule 'R' has no 'output'", "f1.yaml:1:9: rule 'R' has no 'priority'");
        assertThat(diags("- list: l\n  items: notalist\n")).containsExactly("f1.yaml:2:10: 'items' must be a list");
        assertThat(diags("- macro: m\n  condition: proc.name=x\n  condition: y\n")).containsExactly("f1.yaml:3:3: duplicate key 'condition'");
    }

    @Test
    void overrideOfSomethingNeverDefined() {
        assertThat(diags("- rule: R\n  condition: and x\n  override:\n    condition: append\n")).containsExactly(
                "f1.yaml:1:9: rule 'R' is not defined before this override");
        assertThat(diags("- macro: m\n  condition: and x\n  append: true\n")).containsExactly(
                "f1.yaml:1:10: macro 'm' is not defined before this append");
        assertThat(diags("- list: l\n  items: [x]\n  override:\n    items: replace\n")).containsExactly(
                "f1.yaml:1:9: list 'l' is not defined before this override");
        assertThat(diags("- list: l\n  items: [x]\n- list: l\n  items: [y]\n  override:\n    items: prepend\n")).containsExactly(
                "f1.yaml:6:12: override of 'items' must be 'append' or 'replace', not 'prepend'");
    }

    @Test
    void macroCycleIsAnErrorNotAStackOverflow() {
        String y = "- macro: a\n  condition: b\n- macro: b\n  condition: a\n" + ruleWith("evt.type=open and a");
        assertThat(diags(y)).anyMatch(s -> s.contains("macro 'a' references itself (a -> b -> a)"));
    }

    @Test
    void deepNestingIsRefusedCleanly() {
        String deep = "(".repeat(5000) + "proc.name=x" + ")".repeat(5000);
        assertThat(diags(ruleWith("evt.type=open and " + deep))).singleElement().asString()
                .contains("condition nests deeper than 100 levels");
        String nots = "not ".repeat(5000) + "proc.name=x";
        assertThat(diags(ruleWith("evt.type=open and " + nots))).singleElement().asString()
                .contains("condition nests deeper than 100 levels");
        // a long flat chain is fine (parsed iteratively)
        assertThat(diags(ruleWith("evt.type=open and (" + "proc.name=x or ".repeat(3000) + "proc.name=y)"))).isEmpty();
        // a chain of 200 macros is refused
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("- macro: m").append(i).append("\n  condition: m").append(i + 1).append(" and proc.name=x\n");
        sb.append("- macro: m200\n  condition: proc.name=y\n");
        assertThat(diags(sb + ruleWith("evt.type=open and m0"))).anyMatch(s -> s.contains("macros nest deeper than 64 levels"));
        String yamlDeep = "- rule: R\n  desc: " + "[".repeat(10000) + "\n";
        assertThat(diags(yamlDeep)).singleElement().asString().contains("YAML nests deeper than 64 levels");
    }

    @Test
    void hugeConditionsAreRefused() {
        String huge = "proc.name=x and ".repeat(20000) + "evt.type=open";
        assertThat(diags(ruleWith(huge))).singleElement().asString().contains("condition is too long");
        // exponential macro expansion: each level doubles
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) sb.append("- macro: e").append(i).append("\n  condition: (e").append(i + 1).append(" or e").append(i + 1).append(")\n");
        sb.append("- macro: e40\n  condition: proc.name=x\n");
        assertThat(diags(sb + ruleWith("evt.type=open and e0"))).anyMatch(s -> s.contains("condition is too large after macro expansion"));
    }

    @Test
    void validateFilesAndExitCode(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, rule("Good", "evt.type=open"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, ruleWith("evt.type=open and proc.nmae=x"));
        assertThat(Rules.validate(List.of(good)).exitCode()).isZero();
        Rules.Validation v = Rules.validate(List.of(good, bad, dir.resolve("missing.yaml")));
        assertThat(v.exitCode()).isEqualTo(1);
        assertThat(v.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                bad + ":3:32: unknown field 'proc.nmae'", dir.resolve("missing.yaml") + ":1:1: cannot read rules file: no such file");
    }

    @Test
    void failedReloadKeepsThePreviousRuleSet(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, rule("Good", "evt.type=open"));
        RulesEngine engine = new RulesEngine(OPTS);
        var first = engine.load(List.of(good));
        Files.writeString(good, ruleWith("evt.type=open and proc.nmae=x"));
        assertThatThrownBy(() -> engine.load(List.of(good))).isInstanceOf(RuleLoadException.class)
                .hasMessageContaining(":3:32: unknown field 'proc.nmae'")
                .satisfies(e -> assertThat(((RuleLoadException) e).diagnostics()).hasSize(1));
        assertThat(engine.current()).isSameAs(first);
        assertThat(engine.current().rule("Good")).isNotNull();
    }
}

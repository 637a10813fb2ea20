package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.output.OutputFormat;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * libsinsp's multi-value transformers join(), concat(), getopt() and the list modifiers oneof/anyof/allof. The
 * cases are libsinsp's own (test/filter_transformer.ut.cpp, test/filterchecks/cmp_operator_modifiers.cpp) on
 * the same event: an open of /tmp/file_to_run, event number 1, by a process named myexe.
 */
class MultiValueTest {
    static final Event OPEN = ev(EventType.OPENAT, proc("myexe")).num(1).res(3).arg("name", "/tmp/file_to_run")
            .fd(Fd.file(3, "/tmp/file_to_run")).build();

    static void yes(String condition) { assertThat(cond(condition, OPEN)).as(condition).isTrue(); }

    static void no(String condition) { assertThat(cond(condition, OPEN)).as(condition).isFalse(); }

    /** The condition does not load; the error contains {@code message}. */
    static void refused(String condition, String message) {
        List<String> d = diags(rule("T", condition));
        assertThat(d).as(condition).anySatisfy(s -> assertThat(s).contains(message));
    }

    @Nested
    class Join {
        @Test
        void joinsTheListWithTheSeparator() {
            yes("join(fd.name, (fd.name,fd.directory)) = /tmp/file_to_run/tmp/file_to_run/tmp");
            yes("join(\"-\", (fd.name,fd.directory)) = /tmp/file_to_run-/tmp");
            yes("join(\"-\", (\"aaa\",\"bbb\")) = aaa-bbb");
            yes("join(\"->\", (\"aaa\",\"bbb\")) = aaa->bbb");
            yes("join(\"->\", (\"aaa\")) = aaa");
            yes("join(\"->\", (fd.name, \"aaa\")) = /tmp/file_to_run->aaa");
            yes("join(\"->\", (fd.name, \"aaa\", fd.directory)) = /tmp/file_to_run->aaa->/tmp");
            yes("join(\"->\", (toupper(fd.name), \"aaa\")) = /TMP/FILE_TO_RUN->aaa");
            yes("join(\"->\", ( \"aaa\", toupper(fd.name))) = aaa->/TMP/FILE_TO_RUN");
            yes("join(\"-\", (fd.directory, join(\"->\", ( \"aaa\", toupper(fd.name))))) = /tmp-aaa->/TMP/FILE_TO_RUN");
            yes("join(\",\", (\"aaa\",\"bbb\")) = \"aaa,bbb\"");
            no("join(\",\", (\"aaa\",\"bbb\")) = \"aaa-bbb\"");
            yes("join(\",\", (evt.num, evt.num)) = \"1,1\"");
            yes("join(\",\", ()) = \"\"");
            no("join(\",\", ()) = \",\"");
        }

        @Test
        void argumentsAreCheckedAsLibsinspDoes() {
            refused("join() = foo", "join() requires exactly 2 arguments: separator and list");
            refused("join(\"-\") = foo", "join() requires exactly 2 arguments");
            refused("join(\"-\", \"a\", \"b\") = foo", "join() requires exactly 2 arguments");
            // libsinsp's case uses the list field fd.types; Vigil's lists are literal lists and getopt()
            refused("join(getopt((\"-n\"), \"n\"), (\"a\", \"b\")) = foo", "join() first argument (separator) must be a single value, not a list");
            refused("join((\"a\", \"b\"), (\"a\", \"b\")) = foo", "must be a single value, not a list");
            refused("join((\"a\", \"b\"), \"a\") = foo", "must be a single value, not a list");
            refused("join(\"a\", \"b\") = foo", "join() second argument must be a list");
        }
    }

    @Nested
    class Concat {
        @Test
        void concatenatesStrings() {
            yes("concat(fd.name, fd.directory) = /tmp/file_to_run/tmp");
            yes("concat(\"aaa\", \"bbb\") = aaabbb");
            yes("concat(\"aaa\", \"bbb\", \"ccc\") = aaabbbccc");
            yes("concat(fd.name, \"aaa\") = /tmp/file_to_runaaa");
            yes("concat(fd.name, \"aaa\", fd.directory) = /tmp/file_to_runaaa/tmp");
            yes("concat(toupper(fd.name), \"aaa\") = /TMP/FILE_TO_RUNaaa");
            yes("concat(\"aaa\", toupper(fd.name)) = aaa/TMP/FILE_TO_RUN");
            yes("concat(fd.directory, concat(\"aaa\", toupper(fd.name))) = /tmpaaa/TMP/FILE_TO_RUN");
            yes("concat(\"aaa\", \"bbb\") = \"aaabbb\"");
            no("concat(\"aaa\", \"bbb\") = \"aaa-bbb\"");
        }

        @Test
        void argumentsAreCheckedAsLibsinspDoes() {
            refused("concat() = foo", "concat() requires at least 2 arguments");
            refused("concat(\"aaa\") = foo", "concat() requires at least 2 arguments");
            refused("concat(getopt((\"-n\"), \"n\"), \"a\") = foo", "concat() arguments must be strings");
            refused("concat((\"a\", \"b\"), \"a\") = foo", "concat() arguments must be strings");
            refused("concat(\"a\", (\"a\", \"b\")) = foo", "concat() arguments must be strings");
            refused("concat((\"a\", \"b\"), (\"a\", \"b\")) = foo", "concat() arguments must be strings");
            refused("concat(evt.num, \"a\") = foo", "concat() arguments must be strings");
            refused("concat(\"a\", \"b\")[x] = foo", "transformer 'concat' does not support field arguments");
        }
    }

    @Test
    void singleValueTransformersApplyToTheResult() {
        yes("toupper(join(\"-\", (fd.name, fd.directory))) = /TMP/FILE_TO_RUN-/TMP");
        yes("toupper(join(\"-\", (\"aaa\", \"bbb\"))) = AAA-BBB");
        yes("tolower(join(\"-\", (fd.name, fd.directory))) = /tmp/file_to_run-/tmp");
        yes("tolower(join(\"-\", (\"AAA\", \"BBB\"))) = aaa-bbb");
        yes("len(join(\"-\", (fd.name, fd.directory))) = 21");
        yes("len(join(\"-\", (\"aaa\", \"bbb\"))) = 7");
        yes("b64(join(\"W\", (\"YWFhL\", \"JiYg\"))) = \"aaa-bbb\"");
        yes("toupper(tolower(join(\"-\", (fd.name, fd.directory)))) = /TMP/FILE_TO_RUN-/TMP");
        yes("toupper(join(\"-\", (fd.name, fd.directory))) contains /TMP");
        yes("toupper(join(\"-\", (fd.name, fd.directory))) startswith /TMP");
        yes("len(join(\"-\", (fd.name, fd.directory))) > 20");
        yes("len(join(\"-\", (fd.name, fd.directory))) >= 21");
        yes("len(join(\"-\", (fd.name, fd.directory))) < 22");
        yes("toupper(concat(fd.name, fd.directory)) = /TMP/FILE_TO_RUN/TMP");
        yes("toupper(concat(\"aaa\", \"bbb\")) = AAABBB");
        yes("tolower(concat(fd.name, fd.directory)) = /tmp/file_to_run/tmp");
        yes("tolower(concat(\"AAA\", \"BBB\")) = aaabbb");
        yes("len(concat(fd.name, fd.directory)) = 20");
        yes("len(concat(\"aaa\", \"bbb\")) = 6");
        yes("b64(concat(\"YWFh\", \"YmJi\")) = \"aaabbb\"");
        yes("toupper(tolower(concat(fd.name, fd.directory))) = /TMP/FILE_TO_RUN/TMP");
        yes("toupper(concat(fd.name, fd.directory)) contains /TMP");
        yes("len(concat(fd.name, fd.directory)) > 19");
        yes("len(concat(fd.name, fd.directory)) < 21");
    }

    @Nested
    class Getopt {
        @Test
        void parsesOptionsLikeGetopt3() {
            yes("getopt((\"-n\",\"\"), \"n\") intersects (\"n\")");
            yes("getopt((\"-t\", \"hello\"), \"t:\") intersects (\"t\", \"hello\")");
            yes("getopt((\"-nt\", \"hello\"), \"nt:\") intersects (\"n\", \"t\", \"hello\")");
            yes("getopt((\"-thello\"), \"t:\") intersects (\"t\", \"hello\")");
            yes("getopt((\"-n\", \"-t\", \"hello\"), \"nt:\") intersects (\"n\", \"t\", \"hello\")");
            no("getopt((\"-n\"), \"n\") intersects (\"t\")");
            yes("getopt((\"-n\", \"--\", \"-t\"), \"nt:\") intersects (\"n\")");
            no("getopt((\"-n\", \"--\", \"-t\"), \"nt:\") intersects (\"t\")");
            yes("getopt((\"-x\", \"-n\"), \"n\") intersects (\"n\")");
            no("getopt((\"-x\", \"-n\"), \"n\") intersects (\"x\")");
            yes("getopt((\"-l\", \"-p\", \"8080\", \"-e\", \"/bin/sh\"), \"lp:e:\") intersects (\"l\", \"p\", \"e\", \"8080\", \"/bin/sh\")");
            yes("getopt((\"-lpe\", \"/bin/sh\"), \"lp:e:\") intersects (\"l\",\"p\",\"e\")");
            yes("getopt((\"-lpe\", \"/bin/sh\"), \"lpe:\") intersects (\"/bin/sh\")");
            no("getopt((\"-n\", \"-t\"), \"\") intersects (\"n\")");
            no("getopt((\"\"), \"n\") intersects (\"n\")");
            no("getopt((\"arg1\", \"arg2\", \"arg3\"), \"n\") intersects (\"n\")");
            no("getopt((\"-\"), \"n\") intersects (\"n\")");
            yes("getopt((\"-n\", \"--\", \"--\"), \"n\") intersects (\"n\")");
            no("getopt((\"--\", \"-n\"), \"n\") intersects (\"n\")");
            yes("getopt((\"-n-t\"), \"nt\") intersects (\"n\", \"t\")");
            yes("getopt((\"-nat\", \"hello\"), \"na:t\") intersects (\"n\", \"a\", \"t\")");
            yes("getopt((\"-abcvalue\"), \"abc:\") intersects (\"a\", \"b\", \"c\", \"value\")");
            yes("getopt((\"-abc\", \"value\"), \"abc:\") intersects (\"a\", \"b\", \"c\", \"value\")");
            yes("getopt((\"-t\", \"val1\", \"-t\", \"val2\"), \"t:\") intersects (\"t\", \"val1\", \"val2\")");
            yes("getopt((\"-p\", \"8080\"), \"p:\") intersects (\"p\", \"8080\")");
            yes("getopt((\"-p8080\"), \"p:\") intersects (\"p\", \"8080\")");
            yes("getopt((\"-t\", \"-123\"), \"t:\") intersects (\"t\", \"-123\")");
            yes("getopt((\"-f\", \"/etc/passwd\"), \"f:\") intersects (\"f\", \"/etc/passwd\")");
            yes("getopt((\"-u\", \"http://example.com:8080/path\"), \"u:\") intersects (\"u\", \"http://example.com:8080/path\")");
            yes("getopt((\"-t\", \"\"), \"t:\") intersects (\"t\", \"\")");
            yes("getopt((\"-p\", \"22\", \"-i\", \"keyfile\", \"user@host\"), \"p:i:\") intersects (\"p\", \"22\", \"i\", \"keyfile\")");
            yes("getopt((\"-xzf\", \"file.tar.gz\"), \"xzf:\") intersects (\"x\", \"z\", \"f\", \"file.tar.gz\")");
            yes("getopt((\"-e\", \"/bin/sh\", \"attacker.com\", \"4444\"), \"e:\") intersects (\"e\", \"/bin/sh\")");
            yes("getopt((\"-it\", \"-p\", \"8080:80\", \"-v\", \"/host:/container\", \"image\"), \"itp:v:\") intersects (\"i\", \"t\", \"p\", \"8080:80\", \"v\", \"/host:/container\")");
            yes("getopt((\"-abcdefg\"), \"abcdefg\") intersects (\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\")");
            yes("getopt((\"-1\", \"-2\", \"-3\"), \"123\") intersects (\"1\", \"2\", \"3\")");
            yes("getopt((\"-t\", \" \"), \"t:\") intersects (\"t\", \" \")");
        }

        /**
         * libsinsp's current getopt() is POSIX: it stops at the first non-option (its first version went on past
         * them, GNU style, and some of its first tests expected that), skips long options, reports an unknown
         * option as '?', and gives a missing value as "" without the option's name.
         */
        @Test
        void stopsAtTheFirstNonOptionAsTheCurrentLibsinspDoes() {
            no("getopt((\"arg1\", \"-n\", \"arg2\"), \"n\") intersects (\"n\")");
            no("getopt((\"file1\", \"-n\", \"file2\", \"-t\", \"val\", \"file3\"), \"nt:\") intersects (\"n\", \"t\", \"val\")");
            yes("getopt((\"-n\", \"file1\", \"-t\", \"val\"), \"nt:\") in (\"n\")");
            yes("getopt((\"--exec\", \"-n\"), \"n\") in (\"n\")");
            yes("getopt((\"-x\", \"-n\"), \"n\") in (\"?\", \"n\")");
            yes("getopt((\"-t\"), \"t:\") in (\"\")");
            no("getopt((\"-t\"), \"t:\") intersects (\"t\")");
            yes("join(\",\", getopt((\"-nt\", \"hello\", \"rest\"), \"nt:\")) = \"n,t,hello\"");
            yes("len(getopt((\"-nt\", \"hello\"), \"nt:\")) = 3");
            yes("toupper(getopt((\"-nt\", \"hello\"), \"nt:\")) intersects (\"HELLO\")");
        }

        @Test
        void aSelectorGivesTheLastValueOfOneOption() {
            yes("getopt((\"-t\", \"val1\", \"-t\", \"val2\"), \"t:\")[t] = val2");
            yes("getopt((\"-n\", \"-t\", \"x\"), \"nt:\")[n] = n");
            yes("getopt((\"-t\"), \"t:\")[t] = \"\"");
            yes("getopt((\"-tvalue\"), \"t:\")[t] != \"\"");
            no("getopt((\"-n\"), \"nt:\")[t] exists");
            no("getopt((\"-n\"), \"nt:\")[t] = \"\"");
            refused("getopt((\"-n\"), \"n\")[nt] = x", "getopt() field argument must be a single option character");
        }

        @Test
        void argumentsAreCheckedAsLibsinspDoes() {
            refused("getopt() intersects (\"n\")", "getopt() requires exactly 2 arguments: args list and optstring");
            refused("getopt((\"a\")) intersects (\"n\")", "getopt() requires exactly 2 arguments");
            refused("getopt((\"a\"), \"n\", \"extra\") intersects (\"n\")", "getopt() requires exactly 2 arguments");
            refused("getopt(\"not_a_list\", \"n\") intersects (\"n\")", "getopt() first argument must be a list");
            refused("getopt((\"-n\"), (\"n\")) intersects (\"n\")", "getopt() second argument (optstring) must be a single value");
            refused("getopt((\"-n\"), \"n\") = n", "operator '=' cannot be used with the list 'getopt((\"-n\"), \"n\")'");
        }

        @Test
        void theOptstringMayBeAField() {
            // decoded per event when it is not a literal
            yes("getopt((\"-m\", \"x\"), concat(proc.name, \":\"))[m] = m");
        }
    }

    @Test
    void outputsFormatMultiValueTransformers() {
        OutputFormat f = OutputFormat.of("j=%join(\"-\", (fd.name, fd.directory)) o=%getopt((\"-nt\", \"v\"), \"nt:\")");
        assertThat(f.format(OPEN)).isEqualTo("j=/tmp/file_to_run-/tmp o=(n,t,v)");
    }

    @Test
    void syntaxErrorsNameThePlace() {
        assertThat(diags(rule("T", "join(\"-\", (fd.name, fd.directory) = x"))).anySatisfy(s -> assertThat(s).matches("f1\\.yaml:\\d+:\\d+: .*expected ',' or '\\)' in join.*"));
        refused("concat(\"a\" \"b\") = x", "expected ',' or ')' in concat(...)");
        refused("concat(\"a\", 12x) = x", "'12x' is not a number");
        refused("concat(\"a\", nofield) = x", "'nofield' is not a field");
    }

    @Nested
    class Modifiers {
        @Test
        void equality() {
            yes("proc.name == oneof (myexe, bash)");
            yes("proc.name == oneof (myexe)");
            no("proc.name == oneof (bash, sh)");
            no("proc.name == oneof (myexe, myexe)");
            yes("proc.name == anyof (myexe, bash)");
            no("proc.name == anyof (bash, sh)");
            yes("proc.name == anyof (myexe, myexe)");
            yes("proc.name == allof (myexe)");
            no("proc.name == allof (myexe, bash)");
            no("proc.name == allof (bash, sh)");
            yes("proc.name == allof (myexe, myexe)");
        }

        @Test
        void inequality() {
            yes("proc.name != oneof (myexe, myexe, bash)");
            no("proc.name != oneof (myexe, myexe)");
            no("proc.name != oneof (bash, sh)");
            yes("proc.name != oneof (myexe, bash)");
            yes("proc.name != anyof (bash, sh)");
            yes("proc.name != anyof (myexe, bash)");
            yes("proc.name != allof (bash, sh)");
            no("proc.name != allof (myexe, bash)");
        }

        @Test
        void stringOperators() {
            yes("proc.name contains oneof (myex, bash)");
            yes("proc.name contains oneof (exe)");
            no("proc.name contains oneof (bash, sh)");
            no("proc.name contains oneof (my, exe)");
            yes("proc.name contains anyof (myex, bash)");
            no("proc.name contains anyof (bash, sh)");
            yes("proc.name contains anyof (my, exe)");
            yes("proc.name contains allof (my, exe)");
            no("proc.name contains allof (myex, bash)");
            no("proc.name contains allof (bash, sh)");

            yes("proc.name icontains oneof (MYEX, BASH)");
            no("proc.name icontains oneof (BASH, SH)");
            no("proc.name icontains oneof (MY, EXE)");
            yes("proc.name icontains anyof (MYEX, BASH)");
            no("proc.name icontains anyof (BASH, SH)");
            yes("proc.name icontains anyof (MY, EXE)");
            yes("proc.name icontains allof (MY, EXE)");
            no("proc.name icontains allof (MYEX, BASH)");

            yes("proc.name startswith oneof (my, bash)");
            no("proc.name startswith oneof (bash, sh)");
            no("proc.name startswith oneof (my, mye)");
            yes("proc.name startswith anyof (my, bash)");
            yes("proc.name startswith anyof (my, mye)");
            yes("proc.name startswith allof (my, mye)");
            no("proc.name startswith allof (my, bash)");

            yes("proc.name endswith oneof (exe, sh)");
            no("proc.name endswith oneof (exe, yexe)");
            yes("proc.name endswith anyof (exe, yexe)");
            yes("proc.name endswith allof (exe, yexe)");
            no("proc.name endswith allof (exe, sh)");

            yes("proc.name glob oneof (my*, bash)");
            no("proc.name glob oneof (my*, *exe)");
            yes("proc.name glob anyof (my*, *exe)");
            yes("proc.name glob allof (my*, *exe)");
            no("proc.name glob allof (bash, sh*)");

            yes("proc.name iglob oneof (MY*, BASH)");
            no("proc.name iglob oneof (MY*, *EXE)");
            yes("proc.name iglob allof (MY*, *EXE)");

            yes("proc.name regex oneof (my.*, b.*)");
            no("proc.name regex oneof (my.*, .*exe)");
            yes("proc.name regex anyof (my.*, .*exe)");
            yes("proc.name regex allof (my.*, .*exe)");
            no("proc.name regex allof (my.*, b.*)");
        }

        @Test
        void transformerOnTheLeftAndCompoundExpressions() {
            yes("toupper(proc.name) == oneof (MYEXE, BASH)");
            no("toupper(proc.name) == oneof (BASH, SH)");
            yes("toupper(proc.name) != oneof (MYEXE, BASH)");
            no("toupper(proc.name) != oneof (BASH, SH)");
            yes("toupper(proc.name) != allof (BASH, SH)");
            no("toupper(proc.name) != allof (MYEXE, BASH)");
            yes("proc.name == oneof (myexe) and proc.name != allof (bash, sh)");
            no("proc.name == oneof (myexe) and proc.name != allof (myexe, bash)");
            yes("proc.name == anyof (myexe, bash) or proc.name != oneof (myexe)");
        }

        @Test
        void anEmptyListMatchesNothing() {
            for (String m : List.of("oneof", "anyof", "allof")) {
                no("proc.name == " + m + " ()");
                no("proc.name != " + m + " ()");
            }
        }

        @Test
        void listsExpandAndNotOfOneofIsNotNoneOf() {
            String defs = "- list: shells\n  items: [bash, myexe, myexe]\n";
            assertThat(cond("proc.name = anyof (shells)", OPEN, defs)).isTrue();
            assertThat(cond("proc.name = anyof shells", OPEN, defs)).isTrue();
            assertThat(cond("proc.name = oneof (shells)", OPEN, defs)).isFalse(); // myexe twice
            assertThat(cond("not proc.name = oneof (shells)", OPEN, defs)).isTrue();
        }

        @Test
        void eventTypesFollowTheModifier() {
            RuleSet rs = load(rule("A", "evt.type = anyof (open, openat)") + rule("B", "evt.type = allof (open, openat)"));
            assertThat(rs.rule("A").eventTypes()).containsExactlyInAnyOrder(EventType.OPEN, EventType.OPENAT);
            assertThat(rs.rule("B").eventTypes()).isEmpty();
            assertThat(rs.rule("A").matches(OPEN)).isTrue();
            RuleSet one = load(rule("C", "not evt.type = oneof (openat, openat)"));
            assertThat(one.rule("C").matches(OPEN)).isTrue();
        }

        @Test
        void onlyStringOperatorsTakeModifiers() {
            refused("proc.pid >= oneof (1, 2)", "'>=' takes no list modifier");
            refused("proc.name in oneof (a, b)", "'in' takes no list modifier");
            // a bare value spelled like a modifier is still a value
            yes("not proc.name = oneof");
        }

        @Test
        void exceptionsTakeModifiedComparisons() {
            String r = "- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
                    + "  exceptions:\n    - name: tmp\n      fields: [proc.name, fd.name]\n      comps: [startswith anyof, =]\n"
                    + "      values:\n        - [[bash, my], /tmp/file_to_run]\n";
            assertThat(fire(load(r), OPEN)).isEmpty();
            String r2 = r.replace("[[bash, my], /tmp/file_to_run]", "[[bash, sh], /tmp/file_to_run]");
            assertThat(fire(load(r2), OPEN)).containsExactly("R");
            String single = "- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
                    + "  exceptions:\n    - name: tmp\n      fields: proc.name\n      comps: endswith allof\n      values: [exe, yexe]\n";
            assertThat(fire(load(single), OPEN)).isEmpty();
            assertThat(diags(single.replace("endswith allof", "in allof"))).anySatisfy(s -> assertThat(s).contains("invalid comparison operator 'in allof'"));
        }
    }
}

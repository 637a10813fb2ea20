package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Documents dispatched by apiVersion/kind to a kind found by ServiceLoader; every problem positioned. */
class PolicyLoaderTest {
    private final PolicyLoader loader = new PolicyLoader(PolicyKinds.of(new TestKind()));
    @TempDir Path dir;

    private static String doc(String name, int level) {
        return "apiVersion: vigil.dev/test\nkind: TestPolicy\nmetadata:\n  name: " + name + "\nspec:\n  level: " + level + "\n";
    }

    @Test
    void kindsComeFromServiceLoader() {
        assertThat(PolicyLoader.installed().kinds().describe()).contains("vigil.dev/test TestPolicy")
                .contains("cilium.io/v2 CiliumNetworkPolicy");
    }

    @Test
    void documentsAndListsLoadInOrder() throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, doc("a", 1) + "---\n" + doc("b", 2) + "---\n"
                + "apiVersion: vigil.dev/test\nkind: TestPolicyList\nitems:\n- metadata: {name: c}\n  spec: {level: 3}\n"
                + "- " + doc("d", 4).replace("\n", "\n  ") + "\n---\n");
        PolicySet set = loader.load(List.of(f));
        TestKind kind = (TestKind) set.kinds().getFirst();
        assertThat(set.of(kind)).extracting(TestKind.TestPolicy::name).containsExactly("a", "b", "c", "d");
        assertThat(set.of(kind).get(1).position().toString()).isEqualTo(f + ":8:1");
        assertThat(set.of(kind).get(2).position().toString()).isEqualTo(f + ":18:3");
    }

    @Test
    void aFolderLoadsItsYamlFilesInNameOrder() throws Exception {
        Files.writeString(dir.resolve("2.yaml"), doc("two", 2));
        Files.writeString(dir.resolve("1.yml"), doc("one", 1));
        Files.writeString(dir.resolve("notes.txt"), "not a policy");
        assertThat(loader.load(List.of(dir)).all()).extracting(Policy::name).containsExactly("one", "two");
    }

    @Test
    void everyProblemIsReportedWithItsPosition() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, doc("a", 1) + "---\n"
                + "apiVersion: cilium.io/v9\nkind: Nope\n---\n"
                + doc("a", 1) + "---\n"
                + "apiVersion: vigil.dev/test\nkind: TestPolicy\nmetadata: {name: x}\nspec:\n  level: 1\n  l7: {}\n---\n" + doc("z", 11));
        assertThatThrownBy(() -> loader.load(List.of(f)))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).problems()).containsExactly(
                        f + ":9:7: unsupported policy kind 'cilium.io/v9 Nope' (supported: vigil.dev/test TestPolicy)",
                        f + ":11:1: duplicate TestPolicy 'a' (first at " + f + ":1:1)",
                        f + ":23:3: 'spec.l7': L7 is not supported",
                        f + ":30:10: 'spec.level' must be between 0 and 10, not 11"));
    }

    @Test
    void brokenYamlAndMissingFilesAreOneLineEach() throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, "apiVersion: vigil.dev/test\nkind: [unclosed\n");
        assertThatThrownBy(() -> loader.load(List.of(f, dir.resolve("absent.yaml"))))
                .satisfies(e -> assertThat(((PolicyException) e).problems()).satisfiesExactly(
                        p -> assertThat(p).startsWith(f + ":3:1: invalid YAML"),
                        p -> assertThat(p).isEqualTo(dir.resolve("absent.yaml") + ": no such policy file")));
    }

    @Test
    void aDocumentWithoutKindSaysWhatIsMissing() {
        assertThatThrownBy(() -> loader.loadText("x.yaml", "metadata: {name: a}\n"))
                .hasMessage("x.yaml:1:1: the document needs 'apiVersion' (e.g. cilium.io/v2)");
    }
}

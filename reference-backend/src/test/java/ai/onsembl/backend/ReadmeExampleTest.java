package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Testing your own agent" shows {@link EchoAgentTest} verbatim (at most 12 lines) and
 * the {@code <dependency>} block with this build's version: this keeps them from drifting apart.
 */
class ReadmeExampleTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();

  private static List<String> blocks(String markdown, String language) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
    while (m.find()) {
      out.add(m.group(1).strip());
    }
    return out;
  }

  @Test
  void readmeShowsTheRepositorysEchoAgentTestVerbatimInAtMostTwelveLines() throws Exception {
    String readme = Files.readString(MODULE.resolveSibling("README.md"));
    String source =
        Files.readString(MODULE.resolve("src/test/java/ai/onsembl/backend/EchoAgentTest.java"));
    String example = source.substring(source.indexOf("@ReferenceBackendTest")).strip();

    List<String> shown =
        blocks(readme, "java").stream().filter(b -> b.contains("class EchoAgentTest")).toList();
    assertThat(shown).as("java blocks of README.md with class EchoAgentTest").hasSize(1);
    assertThat(shown.get(0)).isEqualTo(example);
    assertThat(example.lines().count()).isLessThanOrEqualTo(12);
  }

  @Test
  void readmeDependencyBlockNamesThisArtifactAndVersion() throws Exception {
    String readme = Files.readString(MODULE.resolveSibling("README.md"));
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    Matcher parent =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(parent.find()).isTrue();
    assertThat(blocks(readme, "xml"))
        .contains(
            """
        <dependency>
          <groupId>ai.onsembl</groupId>
          <artifactId>reference-backend</artifactId>
          <version>%s</version>
          <scope>test</scope>
        </dependency>"""
                .formatted(parent.group(1)));
  }
}

package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a Maven repository needs. Every library module's build attaches a sources jar and a javadoc
 * jar of its public packages, and the parent POM names the license, SCM and developers.
 */
class PublishedArtifactsTest {
  private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

  /** Module -> one public class its jars must carry. */
  private static final Map<String, String> LIBRARIES =
      Map.of(
          "protocol", "ai/onsembl/protocol/ProtocolCodec",
          "wrapper-core", "ai/onsembl/wrapper/AgentWrapper",
          "reference-backend", "ai/onsembl/backend/junit/TestBackend",
          "wrapper-cli", "ai/onsembl/cli/OnsemblAgent");

  private static String version() throws Exception {
    Matcher m =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
            .matcher(Files.readString(ROOT.resolve("e2e/pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static List<String> entries(Path jar) throws Exception {
    assertThat(jar).as("attached by the build").isRegularFile();
    try (JarFile j = new JarFile(jar.toFile())) {
      return j.stream().map(e -> e.getName()).collect(Collectors.toList());
    }
  }

  @Test
  void everyLibraryModuleAttachesSourcesAndJavadocOfItsPublicApi() throws Exception {
    String version = version();
    for (Map.Entry<String, String> lib : LIBRARIES.entrySet()) {
      Path target = ROOT.resolve(lib.getKey()).resolve("target");
      String base = lib.getKey() + "-" + version;
      assertThat(entries(target.resolve(base + "-sources.jar")))
          .as(base + "-sources.jar")
          .contains(lib.getValue() + ".java");
      List<String> javadoc = entries(target.resolve(base + "-javadoc.jar"));
      assertThat(javadoc)
          .as(base + "-javadoc.jar")
          .contains("index.html", lib.getValue() + ".html");
      assertThat(javadoc)
          .as("internal packages are not documented")
          .noneMatch(e -> e.contains("/internal/"));
    }
  }

  @Test
  void parentPomNamesLicenseScmAndDevelopers() throws Exception {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertThat(pom)
        .containsPattern("(?s)<licenses>.*<name>Apache-2.0</name>.*</licenses>")
        .containsPattern("(?s)<scm[ >].*<connection>scm:git:.*</scm>")
        .containsPattern("(?s)<developers>.*<developer>.*</developers>")
        .containsPattern("<url>https://");
    assertThat(ROOT.resolve("LICENSE")).content().contains("Apache License", "Version 2.0");
  }
}

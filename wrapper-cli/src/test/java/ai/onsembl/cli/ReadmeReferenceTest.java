package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Keeps the README's command-line reference true: every command and every option is in it. */
class ReadmeReferenceTest {
  @Test
  void readmeNamesEveryCommandAndEveryOption() throws Exception {
    String readme = Files.readString(Path.of("").toAbsolutePath().resolveSibling("README.md"));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> sub :
        OnsemblAgent.newCommandLine().getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) {
        continue;
      }
      if (!readme.contains("onsembl-agent " + sub.getKey())) {
        missing.add("command " + sub.getKey());
      }
      for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
        String name = o.longestName();
        if (name.equals("--help") || name.equals("--version")) {
          continue;
        }
        if (!readme.contains(name)) {
          missing.add(sub.getKey() + " " + name);
        }
      }
    }
    assertThat(missing).as("in README.md's command-line reference").isEmpty();
  }
}

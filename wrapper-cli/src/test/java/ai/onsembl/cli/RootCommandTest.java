package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RootCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = OnsemblAgent.newCommandLine(args);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void helpListsEveryCommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("start", "stop", "status", "login", "logout", "backend", "demo", "version");
  }

  @Test
  void aNamedCommandIsTheOnlyOneRegistered() {
    // main() builds the command line for its arguments: `start` must not introspect backend and
    // demo.
    assertThat(
            OnsemblAgent.newCommandLine(new String[] {"start", "--", "sleep", "1"})
                .getSubcommands())
        .containsOnlyKeys("start");
    assertThat(OnsemblAgent.newCommandLine(new String[] {"help", "start"}).getSubcommands())
        .containsKeys(
            "start", "stop", "status", "login", "logout", "backend", "demo", "version", "help");
    assertThat(OnsemblAgent.newCommandLine(new String[] {"strat"}).getSubcommands()).hasSize(9);
  }

  @Test
  void aTypoGetsASuggestion() {
    assertThat(run("strat")).isEqualTo(2);
    assertThat(err.toString()).contains("start");
  }

  @Test
  void helpOfOneCommand() {
    assertThat(run("help", "backend")).isZero();
    assertThat(out.toString()).contains("--http-port");
  }

  @Test
  void versionComesFromTheBuild() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("onsembl-agent 0.").doesNotContain("${");
  }

  @Test
  void unknownOptionIsAUsageErrorWithExitTwo() {
    assertThat(run("--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("--help");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing a command");
  }
}

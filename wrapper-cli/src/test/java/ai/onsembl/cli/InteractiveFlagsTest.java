package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code start --interactive} / {@code --headless}: refusals before anything starts (exit 2). */
@Timeout(30)
class InteractiveFlagsTest {
  @TempDir Path tmp;

  private int start(StringWriter out, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "start";
    all[1] = "--state-dir";
    all[2] = tmp.resolve("state").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return OnsemblAgent.newCommandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true))
        .execute(all);
  }

  @Test
  void interactiveAndHeadlessTogetherAreRefused() {
    StringWriter out = new StringWriter();
    assertThat(start(out, "--interactive", "--headless", "--", "sh")).isEqualTo(2);
    assertThat(out.toString()).contains("--interactive and --headless exclude each other");
  }

  @Test
  void interactiveWithExplicitExecModeIsRefused() {
    StringWriter out = new StringWriter();
    assertThat(
            start(
                out,
                "--interactive",
                "--mode",
                "exec",
                "--agent",
                "custom",
                "--exec-template",
                "sh -c {prompt}"))
        .isEqualTo(2);
    assertThat(out.toString()).contains("--mode exec runs one process per command, headless");
  }

  @Test
  void interactiveModeSendsCommandsToTheAgentAsTypedLinesWhateverTheKindsDefault() {
    StartOptions o = new StartOptions();
    var wrapper =
        ai.onsembl.wrapper.WrapperConfig.defaults()
            .withAgentKind(ai.onsembl.wrapper.AgentKind.CLAUDE);
    var headless =
        ai.onsembl.wrapper.command.CommandSettings.forAgent(
            "claude", ai.onsembl.wrapper.command.CommandSettings.Mode.EXEC);
    assertThat(Interactive.commands(o, headless, wrapper).mode())
        .isEqualTo(ai.onsembl.wrapper.command.CommandSettings.Mode.SESSION);
    assertThat(Interactive.logFile(wrapper.withStateDir(tmp).withName("my agent")))
        .isEqualTo(tmp.resolve("logs/my_agent.log"));
  }
}

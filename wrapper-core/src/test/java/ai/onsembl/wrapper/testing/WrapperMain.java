package ai.onsembl.wrapper.testing;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.AgentKind;
import ai.onsembl.wrapper.AgentWrapper;
import ai.onsembl.wrapper.WrapperConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A wrapper as a real process for the signal tests: {@code WrapperMain <server> <stateDir>
 * <agentId> cmd...}. Owns its process (signal handlers, shutdown hook, halt), as the CLI's {@code
 * start} does.
 */
public final class WrapperMain {
  private WrapperMain() {}

  public static void main(String[] args) {
    List<String> command = Arrays.asList(args).subList(3, args.length);
    WrapperConfig config =
        WrapperConfig.defaults()
            .withServerUrl(URI.create(args[0]))
            .withStateDir(Path.of(args[1]))
            .withAgentId(args[2])
            .withToken(System.getenv("ONSEMBL_TOKEN"))
            .withAgentKind(AgentKind.CUSTOM)
            .withCommand(command)
            .withChildGrace(Duration.ofMillis(Long.getLong("grace.ms", 1000)))
            .withReconnect(Duration.ofMillis(100), Duration.ofMillis(500));
    int code;
    try {
      code =
          AgentWrapper.create(config, (out, id, child) -> new RecordingHandler())
              .ownProcess()
              .run();
    } catch (AgentExitException e) {
      System.err.println("WrapperMain: " + e.getMessage());
      code = e.exitCode();
    }
    System.exit(code);
  }
}

package ai.onsembl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "backend", mixinStandardHelpOptions = true, description = "Run the reference backend (WebSocket, REST, /agents page, metrics).")
public final class BackendCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("onsembl-agent backend: not available yet");
    return 2;
  }
}

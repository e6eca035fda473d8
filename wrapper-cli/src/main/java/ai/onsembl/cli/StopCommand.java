package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent stop}: sends SIGTERM to running wrappers found in the run files and waits
 * (bounded) until they have exited. Exit 0 when every targeted wrapper stopped, 1 when one did not
 * stop in time or the agent id names no running wrapper, 2 when the choice is ambiguous.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop running wrappers gracefully (SIGTERM, then wait): by agent id, or all.")
public final class StopCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StateDirOption state = new StateDirOption();

  static final class Target {
    @Option(names = "--agent-id", paramLabel = "ID", description = "The wrapper of this agent id.")
    String agentId;

    @Option(names = "--all", description = "Every running wrapper.")
    boolean all;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "How long to wait for the wrappers to exit (default ${DEFAULT-VALUE}).")
  Duration timeout;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<RunFiles.Entry> running = new ArrayList<>();
    for (RunFiles.Entry e : new RunFiles(state.resolve(env)).list()) {
      if (e.alive()) {
        running.add(e);
      }
    }
    List<RunRecord> targets = new ArrayList<>();
    if (target != null && target.agentId != null) {
      String id = target.agentId;
      running.stream()
          .map(RunFiles.Entry::record)
          .filter(r -> id.equals(r.agentId()) || id.equals(r.backendAgentId()))
          .forEach(targets::add);
      if (targets.isEmpty()) {
        err.println("onsembl-agent stop: no running wrapper with agent id " + id);
        return 1;
      }
    } else if (target != null && target.all || running.size() == 1) {
      running.forEach(e -> targets.add(e.record()));
    } else if (running.isEmpty()) {
      out.println("no running wrapper");
      return 0;
    } else {
      throw AgentExitException.invalidInput(
          running.size() + " wrappers are running; give --agent-id ID or --all");
    }
    for (RunRecord r : targets) {
      Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
      if (h.isPresent() && h.get().destroy()) {
        out.println("stopping agent " + r.agentId() + " (pid " + r.pid() + ")");
      } else {
        err.println(
            "onsembl-agent stop: cannot signal pid " + r.pid() + " of agent " + r.agentId());
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int failed = 0;
    for (RunRecord r : targets) {
      Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
      boolean gone = true;
      if (h.isPresent()) {
        try {
          h.get()
              .onExit()
              .get(
                  Math.max(0, deadline - System.nanoTime()),
                  java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          gone = false;
        } catch (Exception e) {
          gone = !h.get().isAlive();
        }
      }
      if (gone) {
        out.println("stopped agent " + r.agentId());
      } else {
        failed++;
        err.println(
            "onsembl-agent stop: agent "
                + r.agentId()
                + " (pid "
                + r.pid()
                + ") still running after "
                + timeout.toMillis()
                + " ms");
      }
    }
    return failed == 0 ? 0 : 1;
  }
}

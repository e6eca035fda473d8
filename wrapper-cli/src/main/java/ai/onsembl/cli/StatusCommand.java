package ai.onsembl.cli;

import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent status}: every wrapper with a run file — agent id, pid, backend, state,
 * uptime. A file whose wrapper process is gone (killed with SIGKILL) is shown as STALE, never as
 * running.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show every wrapper on this machine.")
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StateDirOption state = new StateDirOption();

  @Option(names = "--json", description = "One JSON array, one object per wrapper.")
  boolean json;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<RunFiles.Entry> entries = new RunFiles(state.resolve(env)).list();
    long now = System.currentTimeMillis();
    if (json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (RunFiles.Entry e : entries) {
        RunRecord r = e.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agentId", r.agentId());
        m.put("backendAgentId", r.backendAgentId());
        m.put("name", r.name());
        m.put("pid", r.pid());
        m.put("running", e.alive());
        m.put("state", e.alive() ? r.state() : "STALE");
        m.put("lastState", r.state());
        m.put("backendUrl", r.backendUrl());
        m.put("startedAt", Instant.ofEpochMilli(r.startedAtMillis()).toString());
        m.put("uptimeMillis", e.alive() ? now - r.startedAtMillis() : null);
        m.put("childPid", r.childPid());
        m.put("childPgid", r.childPgid());
        list.add(m);
      }
      out.println(RunFiles.toJson(list));
      return 0;
    }
    if (entries.isEmpty()) {
      out.println("no wrapper running");
      return 0;
    }
    String fmt = "%-36s %-8s %-22s %-10s %s%n";
    out.printf(fmt, "AGENT ID", "PID", "STATE", "UPTIME", "BACKEND");
    for (RunFiles.Entry e : entries) {
      RunRecord r = e.record();
      String id =
          r.backendAgentId() != null ? r.agentId() + " (" + r.backendAgentId() + ")" : r.agentId();
      String st = e.alive() ? r.state() : "STALE (was " + r.state() + ")";
      out.printf(
          fmt,
          id,
          r.pid(),
          st,
          e.alive() ? uptime(now - r.startedAtMillis()) : "-",
          r.backendUrl());
    }
    return 0;
  }

  static String uptime(long millis) {
    long s = Math.max(0, millis / 1000);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
  }
}

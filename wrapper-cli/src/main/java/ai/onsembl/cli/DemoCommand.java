package ai.onsembl.cli;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.wrapper.process.ProcessTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo: a reference backend on a temporary database and two wrapped mock agents, each a real
 * {@code onsembl-agent start} process. Ctrl+C (or SIGTERM) stops the agents gracefully, shows each
 * going OFFLINE with its reason, then stops the backend and removes the temporary files.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start a reference backend on a temporary database and wrapped mock agents, and print the /agents URL.",
      "Ctrl+C stops the agents gracefully (each is shown going OFFLINE with its reason), then the backend."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "3001",
      description =
          "WebSocket port (0: a free port; a taken port falls back to a free one). Default: ${DEFAULT-VALUE}.")
  int wsPort;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "3002",
      description = "HTTP port for /agents and the REST API. Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(
      names = "--agents",
      paramLabel = "N",
      defaultValue = "2",
      description = "How many mock agents to start (0-10). Default: ${DEFAULT-VALUE}.")
  int agents;

  @Option(
      names = "--run-for",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop by itself after this long (e.g. 30s); default: run until Ctrl+C.")
  Duration runFor;

  /** One wrapped mock agent: its name and its {@code onsembl-agent start} process. */
  private record DemoAgent(String name, Process process) {}

  private final List<DemoAgent> wrappers = new ArrayList<>();
  private volatile boolean selfStop;

  @Override
  public Integer call() throws Exception {
    if (agents < 0 || agents > 10) {
      throw new IllegalArgumentException("--agents: expected 0 to 10 but got " + agents);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path launcher = launcher();
    Path tmp = Files.createTempDirectory("onsembl-demo-");
    String agentToken = BackendConfig.randomToken();
    String dashboardToken = BackendConfig.randomToken();
    BackendConfig config =
        BackendConfig.defaults()
            .withDatabaseFile(tmp.resolve("backend.db"))
            .withAgentToken(agentToken)
            .withDashboardToken(dashboardToken);
    ReferenceBackend backend = startBackend(config, err);
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopped.countDown();
              try {
                shutdown(backend, err, tmp);
              } finally {
                done.countDown();
              }
            },
            "onsembl-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    out.println("onsembl demo: backend " + backend.wsUrl() + " and " + backend.httpUrl());
    for (int i = 1; i <= agents; i++) {
      String name = "demo-agent-" + i;
      startWrapper(launcher, name, backend.wsUrl(), agentToken, tmp.resolve("state"), err);
    }
    awaitOnline(backend, Duration.ofSeconds(30), err);
    out.println();
    out.println("  Dashboard: " + backend.dashboardLoginLink());
    out.println(
        "  (a one-time sign-in link: it sets a cookie and opens " + backend.httpUrl() + "/agents)");
    out.println(
        "  REST:      curl -H 'Authorization: Bearer "
            + dashboardToken
            + "' "
            + backend.httpUrl()
            + "/api/agents");
    out.println();
    out.println("Press Ctrl+C to stop the agents gracefully and watch them go OFFLINE.");
    out.flush();

    boolean timedOut = runFor != null && !stopped.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
    if (runFor == null) {
      stopped.await();
    }
    if (timedOut) {
      // stop as if Ctrl+C had been pressed, then leave without running the hook twice
      Runtime.getRuntime().removeShutdownHook(hook);
      selfStop = true;
      hook.start();
    }
    done.await(30, TimeUnit.SECONDS);
    return 0;
  }

  private ReferenceBackend startBackend(BackendConfig config, PrintWriter err) {
    try {
      return ReferenceBackend.start(config.withPorts(wsPort, httpPort));
    } catch (IllegalStateException e) {
      if (wsPort == 0 && httpPort == 0) {
        throw e;
      }
      err.println(
          "onsembl demo: ports "
              + wsPort
              + "/"
              + httpPort
              + " are taken ("
              + e.getMessage()
              + "); using free ports instead");
      return ReferenceBackend.start(config.withPorts(0, 0));
    }
  }

  private void startWrapper(
      Path launcher, String name, String wsUrl, String token, Path stateDir, PrintWriter err)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            launcher.toString(),
            "start",
            "--server",
            wsUrl,
            "--agent",
            "mock",
            "--name",
            name,
            "--heartbeat-interval",
            "5s");
    pb.environment().put("ONSEMBL_TOKEN", token);
    pb.environment().put("ONSEMBL_STATE_DIR", stateDir.toString());
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    synchronized (wrappers) {
      wrappers.add(new DemoAgent(name, p));
    }
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (err) {
                    err.println("[" + name + "] " + line);
                    err.flush();
                  }
                }
              } catch (IOException e) {
                // the wrapper exited
              }
            },
            "demo-" + name + "-log");
    t.setDaemon(true);
    t.start();
  }

  private void awaitOnline(ReferenceBackend backend, Duration timeout, PrintWriter err)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long online = backend.agents().stream().filter(a -> a.status() == AgentStatus.ONLINE).count();
      if (online >= agents) {
        return;
      }
      synchronized (wrappers) {
        for (DemoAgent w : wrappers) {
          if (!w.process().isAlive()) {
            err.println(
                "onsembl demo: " + w.name() + " exited with code " + w.process().exitValue());
          }
        }
      }
      Thread.sleep(50);
    }
    err.println(
        "onsembl demo: not every agent came ONLINE within "
            + timeout.toSeconds()
            + " s; see the lines above");
  }

  private void shutdown(ReferenceBackend backend, PrintWriter err, Path tmp) {
    PrintWriter out = spec.commandLine().getOut();
    out.println();
    out.println("onsembl demo: stopping the agents...");
    out.flush();
    List<DemoAgent> ps;
    synchronized (wrappers) {
      ps = List.copyOf(wrappers);
    }
    // A terminal's Ctrl+C sends SIGINT to the whole foreground group, wrappers included: give those
    // a
    // moment to say goodbye on their own (a second signal would escalate their shutdown), then
    // SIGTERM
    // every wrapper that is still ONLINE (the demo alone was signalled, or --run-for ran out).
    if (!selfStop) {
      awaitStopping(backend, ps, Duration.ofSeconds(1));
    }
    for (DemoAgent w : ps) {
      if (w.process().isAlive() && isOnline(backend, w.name())) {
        ProcessTree.signal(w.process().pid(), "TERM");
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (DemoAgent w : ps) {
      ProcessHandle h = w.process().toHandle();
      java.util.Set<ProcessHandle> tree = ProcessTree.descendants(h);
      try {
        if (!w.process().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          ProcessTree.kill(h, false, tree);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ProcessTree.kill(h, false, tree);
      }
    }
    // the disconnects are handled off the socket thread: give the store a moment to commit them
    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < settle
        && backend.agents().stream().anyMatch(a -> a.status() == AgentStatus.ONLINE)) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (AgentState a : backend.agents()) {
      out.println(
          "  "
              + (a.name() == null ? a.agentId() : a.name())
              + " "
              + a.status()
              + (a.disconnectReason() == null ? "" : ": " + a.disconnectReason()));
    }
    for (DemoAgent w : ps) {
      if (!w.process().isAlive()) {
        out.println("  " + w.name() + " exited with code " + w.process().exitValue());
      }
    }
    out.flush();
    backend.close();
    deleteTree(tmp);
    out.println("onsembl demo: stopped.");
    out.flush();
  }

  private void awaitStopping(ReferenceBackend backend, List<DemoAgent> ps, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      boolean anyOnline = false;
      for (DemoAgent w : ps) {
        anyOnline |= w.process().isAlive() && isOnline(backend, w.name());
      }
      if (!anyOnline) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean isOnline(ReferenceBackend backend, String name) {
    return backend.agents().stream()
        .anyMatch(a -> name.equals(a.name()) && a.status() == AgentStatus.ONLINE);
  }

  private static Path launcher() {
    String home = System.getProperty("onsembl.home");
    if (home == null) {
      throw new IllegalStateException(
          "onsembl.home is not set: run the demo through bin/onsembl-agent or scripts/demo");
    }
    Path launcher = Paths.get(home, "bin", "onsembl-agent");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException(
          "expected the launcher at " + launcher + " but it is missing");
    }
    return launcher;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

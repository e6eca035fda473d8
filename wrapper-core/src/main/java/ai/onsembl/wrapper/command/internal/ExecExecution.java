package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.command.ExecTemplates;
import ai.onsembl.wrapper.command.OutputStreamer;
import ai.onsembl.wrapper.process.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An exec-mode command: one process from the template, in a session and process group of its own
 * (through {@code setsid}), so a cancel reaches every process it started, orphans included. When
 * the process exits, whatever it left behind in its group is killed: a finished command leaves
 * nothing running.
 */
public final class ExecExecution extends Execution {
  /**
   * How long output may trail the exit before leftovers of the group are killed to close the pipes.
   */
  private static final Duration DRAIN = Duration.ofMillis(500);

  private static final Duration DRAIN_AFTER_KILL = Duration.ofSeconds(2);

  /** Not passed on to commands (unless the settings' environment sets it explicitly). */
  public static final String SECRET_ENV = "ONSEMBL_TOKEN";

  private final CommandSettings settings;
  private final ExecutorService executor;
  private Process process;
  private boolean groupLeader;

  public ExecExecution(
      String commandId,
      String text,
      Long timeLimitMs,
      CommandSettings settings,
      OutputStreamer streamer,
      ExecutorService pool,
      Listener listener) {
    super(commandId, text, timeLimitMs, settings.cancelGrace(), streamer, pool, listener);
    this.settings = settings;
    this.executor = pool;
  }

  @Override
  protected void run() {
    String optionLike = ExecTemplates.optionLikePrompt(settings.execTemplate(), text);
    if (optionLike != null) {
      finish(Outcome.failed(optionLike));
      return;
    }
    List<String> argv = ExecTemplates.expand(settings.execTemplate(), text);
    String missing = missingProgram(argv.get(0));
    if (missing != null) {
      finish(Outcome.failed(missing));
      return;
    }
    ProcessBuilder pb =
        new ProcessBuilder(ProcessTree.inOwnSession(argv))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (settings.workingDirectory() != null) {
      pb.directory(settings.workingDirectory().toFile());
    }
    // The backend token is the wrapper's secret, not the agent's: an agent could print or leak it.
    pb.environment().remove(SECRET_ENV);
    pb.environment().putAll(settings.environment());
    Process p;
    try {
      p = pb.start();
    } catch (IOException | RuntimeException e) {
      finish(Outcome.failed("could not start " + argv.get(0) + ": " + e.getMessage()));
      return;
    }
    synchronized (this) {
      process = p;
      groupLeader = ProcessTree.hasSetsid();
    }
    if (stopRequested()) {
      // A cancel that came while the process was starting found nothing to stop.
      halt(Duration.ZERO);
    }
    CompletableFuture<Void> out =
        CompletableFuture.runAsync(() -> pump(p.getInputStream(), StreamType.STDOUT), executor);
    CompletableFuture<Void> err =
        CompletableFuture.runAsync(() -> pump(p.getErrorStream(), StreamType.STDERR), executor);
    int code = waitForExit(p);
    markEnded();
    CompletableFuture<Void> both = CompletableFuture.allOf(out, err);
    if (!await(both, DRAIN)) {
      killGroup(p);
      await(both, DRAIN_AFTER_KILL);
    } else {
      killGroup(p);
    }
    finish(Outcome.exited(code));
  }

  @Override
  protected void halt(Duration grace) {
    Process p;
    boolean leader;
    synchronized (this) {
      p = process;
      leader = groupLeader;
    }
    if (p == null) {
      return; // run() sees the request right after the start
    }
    if (grace == null || grace.isZero()) {
      ProcessTree.kill(p.toHandle(), leader, Set.of());
    } else {
      ProcessTree.terminate(p.toHandle(), leader, grace);
    }
  }

  private void killGroup(Process p) {
    if (groupLeader) {
      ProcessTree.signalGroup(p.pid(), "KILL");
    }
  }

  private void pump(InputStream in, StreamType stream) {
    char[] buf = new char[8192];
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      int n;
      streamer.awaitRoom();
      while ((n = r.read(buf)) >= 0) {
        if (n > 0) {
          streamer.append(stream, CharBuffer.wrap(buf, 0, n));
          streamer.awaitRoom();
        }
      }
    } catch (IOException e) {
      // The pipe closed under us (process gone): nothing more to read.
    } catch (Error e) {
      Threads.fatal(e);
    }
  }

  private static int waitForExit(Process p) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean await(CompletableFuture<?> f, Duration d) {
    try {
      f.get(d.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Why {@code program} cannot run, or null. Checked first so the error names the program, not
   * setsid.
   */
  private String missingProgram(String program) {
    if (program.contains("/")) {
      Path path = Path.of(program);
      if (!path.isAbsolute() && settings.workingDirectory() != null) {
        path = settings.workingDirectory().resolve(path);
      }
      return Files.isExecutable(path) && !Files.isDirectory(path)
          ? null
          : "could not start " + program + ": not an executable file";
    }
    return ProcessTree.findOnPath(program).isPresent()
        ? null
        : "could not start " + program + ": not found on PATH";
  }
}

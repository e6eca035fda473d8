package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.command.OutputStreamer;
import ai.onsembl.wrapper.command.SessionChild;
import ai.onsembl.wrapper.command.SessionCompletion;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * A session-mode command: its text is written as a line to the long-lived child's stdin, and the
 * child's output belongs to it until {@link SessionCompletion} says it is over.
 *
 * <p>Stdout and stderr come through different pipes, so stderr written just before the done marker
 * can arrive just after it: for {@link #MARKER_SETTLE} after the marker, stderr still belongs to
 * the command (stdout already goes to the agent id). A stop asks the child to interrupt ({@link
 * SessionChild#interrupt()}) and ends the command at its next marker, quiet period, or after the
 * grace, whichever comes first (at once when forced), so the child's answer to the interrupt is not
 * taken for the next command's output.
 */
public final class SessionExecution extends Execution {
  /** Longer lines cannot be the marker; not buffering them bounds memory. */
  private static final int MAX_MARKER_LINE = 4096;

  static final Duration MARKER_SETTLE = Duration.ofMillis(50);

  private final SessionChild child;
  private final SessionRouter router;
  private final SessionCompletion completion;
  private final StringBuilder partialLine = new StringBuilder();
  private boolean partialTooLong;
  private boolean markerSeen;
  private Outcome markerOutcome;
  private volatile long lastOutputNanos;

  public SessionExecution(
      String commandId,
      String text,
      Long timeLimitMs,
      Duration grace,
      SessionChild child,
      SessionRouter router,
      SessionCompletion completion,
      OutputStreamer streamer,
      Executor pool,
      Listener listener) {
    super(commandId, text, timeLimitMs, grace, streamer, pool, listener);
    this.child = child;
    this.router = router;
    this.completion = completion;
  }

  @Override
  protected void run() {
    synchronized (router) {
      if (stopRequested()) {
        end(Outcome.exited(null));
        return;
      }
      router.begin(this);
      lastOutputNanos = System.nanoTime();
    }
    if (!child.writeLine(text)) {
      synchronized (router) {
        end(Outcome.failed("agent process is not running"));
      }
      return;
    }
    if (completion.quietPeriod() != null) {
      scheduleQuietCheck(completion.quietPeriod().toNanos());
    }
  }

  @Override
  protected void halt(Duration grace) {
    if (grace == null || grace.isZero()) {
      // End first: the child's answer to the interrupt belongs to no command.
      synchronized (router) {
        end(Outcome.exited(null));
      }
      child.interrupt();
      return;
    }
    child.interrupt();
    Threads.timer()
        .schedule(
            () -> {
              synchronized (router) {
                end(Outcome.exited(null));
              }
            },
            grace.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** The child has exited: the command cannot finish normally. */
  public void childExited(Integer exitCode) {
    synchronized (router) {
      // After its marker the command is done, whatever the child does next.
      end(
          markerOutcome != null
              ? markerOutcome
              : Outcome.failed(
                  "agent process exited" + (exitCode == null ? "" : " with code " + exitCode)));
    }
  }

  /**
   * Output of the child while this command is current (called under the router's lock). Returns the
   * part that came after the command ended (after its marker line), for the agent id; null when all
   * was taken.
   */
  String accept(StreamType stream, String chunk) {
    if (isFinished()) {
      return chunk;
    }
    if (markerSeen) {
      if (stream == StreamType.STDOUT) {
        return chunk;
      }
      streamer.append(stream, chunk);
      return null;
    }
    lastOutputNanos = System.nanoTime();
    if (completion.doneMarker() == null || stream != StreamType.STDOUT) {
      streamer.append(stream, chunk);
      return null;
    }
    int from = 0;
    for (int nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      addToLine(chunk, from, nl);
      Matcher m =
          partialTooLong ? null : completion.doneMarker().matcher(stripCr(partialLine.toString()));
      partialLine.setLength(0);
      partialTooLong = false;
      from = nl + 1;
      if (m != null && m.matches()) {
        streamer.append(stream, chunk.substring(0, from));
        markerSeen = true;
        markEnded();
        Outcome outcome = Outcome.exited(exitCode(m));
        markerOutcome = outcome;
        Threads.timer()
            .schedule(
                () -> {
                  synchronized (router) {
                    end(outcome);
                  }
                },
                MARKER_SETTLE.toNanos(),
                TimeUnit.NANOSECONDS);
        return chunk.substring(from);
      }
    }
    addToLine(chunk, from, chunk.length());
    streamer.append(stream, chunk);
    return null;
  }

  private void end(Outcome outcome) {
    router.end(this);
    markEnded();
    finish(outcome);
  }

  private void scheduleQuietCheck(long delayNanos) {
    Threads.timer()
        .schedule(this::quietCheck, Math.max(delayNanos, 1_000_000L), TimeUnit.NANOSECONDS);
  }

  private void quietCheck() {
    long quiet = completion.quietPeriod().toNanos();
    synchronized (router) {
      if (isFinished() || markerSeen) {
        return;
      }
      long silent = System.nanoTime() - lastOutputNanos;
      if (silent >= quiet) {
        end(Outcome.exited(null));
        return;
      }
      scheduleQuietCheck(quiet - silent);
    }
  }

  private void addToLine(String chunk, int from, int to) {
    if (partialTooLong) {
      return;
    }
    if (partialLine.length() + (to - from) > MAX_MARKER_LINE) {
      partialTooLong = true;
      partialLine.setLength(0);
      return;
    }
    partialLine.append(chunk, from, to);
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static Integer exitCode(Matcher m) {
    try {
      String code = m.group("exit");
      return code == null ? null : Integer.valueOf(code);
    } catch (IllegalArgumentException e) {
      return null; // no group named "exit", or not a number
    }
  }
}

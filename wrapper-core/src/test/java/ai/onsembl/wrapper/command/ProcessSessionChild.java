package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.process.ProcessTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Test implementation of {@link SessionChild}: a real long-lived process in its own process group,
 * as the child supervisor runs it. {@link #interrupt()} sends SIGINT to the group, like Ctrl-C.
 */
final class ProcessSessionChild implements SessionChild, AutoCloseable {
  private final List<String> command;
  private final IntConsumer onExit;
  private Process process;
  private Thread stdoutReader;
  private Thread stderrReader;
  private volatile OutputListener listener = (s, t) -> {};

  /** Not started yet: {@link #start()} it once the runner listens, so no early output is lost. */
  ProcessSessionChild(List<String> command, IntConsumer onExit) {
    this.command = command;
    this.onExit = onExit;
  }

  ProcessSessionChild start() throws IOException {
    process = new ProcessBuilder(ProcessTree.inOwnSession(command)).start();
    stdoutReader = reader(process.getInputStream(), StreamType.STDOUT);
    stderrReader = reader(process.getErrorStream(), StreamType.STDERR);
    process
        .onExit()
        .thenAccept(
            p -> {
              try {
                stdoutReader.join(2000);
                stderrReader.join(2000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              onExit.accept(p.exitValue());
            });
    return this;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public synchronized boolean writeLine(String line) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void setOutputListener(OutputListener listener) {
    this.listener = listener;
  }

  @Override
  public boolean interrupt() {
    return ProcessTree.signalGroup(process.pid(), "INT");
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    if (process.isAlive() || ProcessTree.hasSetsid()) {
      ProcessTree.terminate(process.toHandle(), ProcessTree.hasSetsid(), Duration.ofSeconds(1));
    }
  }

  private Thread reader(InputStream in, StreamType stream) {
    Thread t =
        new Thread(
            () -> {
              char[] buf = new char[8192];
              try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = r.read(buf)) >= 0) {
                  listener.onOutput(stream, new String(buf, 0, n));
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "test-session-" + stream);
    t.setDaemon(true);
    t.start();
    return t;
  }
}

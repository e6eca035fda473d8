package ai.onsembl.e2e.faults;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose processes left temp files behind. {@link #watch} records, while a
 * process runs, every file under the temp dir it has mapped or open (e.g. the SQLite native library
 * the backend extracts to {@code /tmp/sqlite-*.so}); after the class each must be gone. Excluded:
 * JUnit's own {@code @TempDir}s (JUnit deletes them after this check) and the JVM's {@code
 * hsperfdata} files (every JVM start removes those of dead processes). A scan of the temp dir by
 * name ({@code onsembl-*}) is not used: other programs on this shared machine (the browser tests,
 * the benchmarks) create such entries at the same time, so only what our own processes had open can
 * be attributed to them.
 */
public final class TempFilesCheck implements BeforeAllCallback, AfterAllCallback {
  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
  private static final Set<Path> WATCHED = new LinkedHashSet<>();

  /**
   * The checkout itself may live under the temp dir (a CI clone): its files (the distribution's
   * jars) are no temp files.
   */
  private static final Path PROJECT_ROOT = Path.of("").toAbsolutePath().getParent();

  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (WATCHED) {
      WATCHED.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<Path> left;
    synchronized (WATCHED) {
      left = WATCHED.stream().filter(Files::exists).collect(Collectors.toList());
      WATCHED.clear();
    }
    if (!left.isEmpty()) {
      throw new AssertionError(
          "expected no temp files left by the processes of "
              + context.getDisplayName()
              + " but found:\n"
              + left.stream().map(Path::toString).collect(Collectors.joining("\n")));
    }
  }

  /** Records the temp files {@code p} has mapped or open right now. */
  static List<Path> watch(RunningProcess p) {
    List<Path> found = new ArrayList<>(tempFilesOf(p.pid()));
    synchronized (WATCHED) {
      WATCHED.addAll(found);
    }
    return found;
  }

  /**
   * Stops a backend with SIGTERM (it closes its database and its JVM deletes its temp files),
   * within 15 s.
   */
  static AutoCloseable graceful(BackendProcess backend) {
    List<Path> files = watch(backend.process());
    return () -> {
      if (backend.process().isAlive()) {
        backend.process().signal("TERM");
        int code = backend.process().awaitExit(Duration.ofSeconds(15));
        List<Path> left = files.stream().filter(Files::exists).toList();
        if (!left.isEmpty()) {
          System.out.println(
              "backend pid " + backend.process().pid() + " exited " + code + " and left " + left);
        }
      }
    };
  }

  static Set<Path> tempFilesOf(long pid) {
    Set<Path> out = new LinkedHashSet<>();
    try (Stream<String> maps = Files.lines(Path.of("/proc/" + pid + "/maps"))) {
      maps.map(l -> l.indexOf('/') >= 0 ? l.substring(l.indexOf('/')).trim() : "")
          .filter(s -> !s.isEmpty())
          .map(Path::of)
          .filter(TempFilesCheck::counts)
          .forEach(out::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      // the process is gone: nothing to record
    }
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (counts(target)) {
            out.add(target);
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return out;
  }

  private static boolean counts(Path p) {
    if (!p.isAbsolute()
        || !p.startsWith(TMP)
        || p.getNameCount() <= TMP.getNameCount()
        || (PROJECT_ROOT != null && p.startsWith(PROJECT_ROOT))) {
      return false;
    }
    String first = p.getName(TMP.getNameCount()).toString();
    return !first.startsWith("junit") && !first.startsWith("hsperfdata_");
  }
}

package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code onsembl-agent start} loads, from launch through ONLINE to the goodbye on SIGTERM,
 * with the packaged launcher and its class-data archive: no jackson-databind (the link's streaming
 * codec), no reference backend, no backend/demo command classes (lazy subcommands) and no picocli
 * (start's own parser), no slf4j-simple nor its date format (its own slf4j binding), no search of
 * the class path or the JDK's image for a resource (the version from the manifest, the binding
 * named to slf4j), and the launch and shutdown paths mapped from the archive trained at package
 * time, not loaded cold from the jars. Ceilings on the classes loaded and on the threads of the
 * idle wrapper keep those gains (each archived class is resident in every wrapper) from coming back
 * unnoticed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class StartFootprintIT {
  @TempDir Path home;

  @Test
  void startLoadsNoDatabindNoBackendNoPicocliAndMapsLaunchAndShutdownFromTheArchive()
      throws Exception {
    Path log = home.resolve("classes.log");
    // a config file too: it is read with jackson-core as well
    Files.createDirectories(home.resolve("state"));
    Files.writeString(
        home.resolve("state/config.json"), "{\"logLevel\": \"info\", \"childGrace\": 2000}");
    assertThat(Dist.home().resolve("lib/onsembl.jsa"))
        .as("the AppCDS archive built at package time")
        .exists();
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        RunningProcess w =
            Dist.start(
                "footprint",
                Map.of(
                    "HOME",
                    home.toString(),
                    "ONSEMBL_TOKEN",
                    BackendProcess.AGENT_TOKEN,
                    "ONSEMBL_STATE_DIR",
                    home.resolve("state").toString(),
                    "ONSEMBL_JAVA_OPTS",
                    "-Xlog:class+load:file=" + log),
                home,
                "start",
                "--server",
                backend.wsUrl(),
                "--name",
                "footprint",
                "--",
                "sleep",
                "600")) {
      backend.awaitAgent("footprint", "ONLINE", Duration.ofSeconds(30));
      // The JVM's own 12 with the launcher's flags (VM thread, reference handler, finalizer, signal
      // dispatcher, service, monitor deflation, one C1 compiler, sweeper, notification, periodic
      // task, common cleaner, native heap trimmer), main and the launcher's thread, then the link,
      // the WebSocket client's reader and writer, the process reaper and the child's two output
      // pumps: 20. A bounded wait: a short-lived thread of the start may still be ending.
      Path tasks = Path.of("/proc", Long.toString(w.pid()), "task");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (Stream<Path> t = Files.list(tasks)) {
                  assertThat(t.count()).as("threads of the idle wrapper").isLessThanOrEqualTo(22);
                }
              });
      w.signal("TERM");
      assertThat(w.awaitExit(Duration.ofSeconds(20))).isEqualTo(143);
    }
    List<String> loaded = Files.readAllLines(log);
    long shared = loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
    System.out.println(
        "StartFootprintIT: "
            + loaded.size()
            + " classes loaded by start (launch, ONLINE, SIGTERM, "
            + "exit), "
            + shared
            + " of them from the AppCDS archive");
    assertThat(loaded)
        .as("classes loaded")
        .hasSizeGreaterThan(500)
        .noneMatch(l -> l.contains(" com.fasterxml.jackson.databind."))
        .noneMatch(l -> l.contains(" ai.onsembl.backend."))
        .noneMatch(l -> l.contains(" picocli."))
        .noneMatch(
            l ->
                l.contains(" ai.onsembl.cli.BackendCommand")
                    || l.contains(" ai.onsembl.cli.DemoCommand"))
        .noneMatch(l -> l.contains(" org.slf4j.simple."))
        .noneMatch(
            l -> l.contains(" java.text.SimpleDateFormat ") || l.contains(" java.util.Calendar "))
        .noneMatch(l -> l.contains(" java.util.ServiceLoader "))
        .noneMatch(l -> l.contains(" jdk.internal.jimage.ImageReader "))
        .noneMatch(l -> l.contains(" sun.net.www.protocol.jar.JarURLConnection "));
    // 1,575 on JDK 17.0.15 (~1,800 with slf4j-simple and the resource lookups, ~250 more with the
    // date line of the agent id file, and more again with picocli).
    assertThat(loaded.size()).as("classes loaded from launch to exit").isLessThanOrEqualTo(1_700);
    assertThat(loaded)
        .filteredOn(
            l ->
                l.contains(" ai.onsembl.cli.StartArgs ")
                    || l.contains(
                        " ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator$Trigger ")
                    || l.contains(" ai.onsembl.protocol.AgentDisconnect ")
                    || l.contains(" ai.onsembl.protocol.StreamingCodec "))
        .hasSize(4)
        .allMatch(l -> l.contains("source: shared objects file"));
    // Lambda forms and proxies are spun at run time; almost everything else comes from the archive.
    assertThat(shared).as("classes mapped from the archive").isGreaterThan(loaded.size() * 9 / 10);
  }
}

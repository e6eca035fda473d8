package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The hand-written parser of {@code start} ({@link StartArgs}) against picocli: for every command
 * line, either it declines (null: picocli parses it) or it fills every field of {@link
 * StartOptions} and {@link StateDirOption} exactly as picocli does.
 */
class StartArgsTest {
  /** The options of start as picocli declares them, without -h/--help/-V/--version. */
  private static final List<OptionSpec> OPTIONS =
      new CommandLine(new StartCommand())
          .getCommandSpec().options().stream()
              .filter(o -> !o.usageHelp() && !o.versionHelp())
              .collect(Collectors.toList());

  /** What picocli fills for {@code args} (start first), or null when it refuses them. */
  private static StartCommand picocli(String... args) {
    StartCommand cmd = new StartCommand();
    try {
      CommandLine.ParseResult r =
          new CommandLine(cmd).parseArgs(Arrays.copyOfRange(args, 1, args.length));
      return r.isUsageHelpRequested() || r.isVersionHelpRequested() ? null : cmd;
    } catch (CommandLine.ParameterException e) {
      return null;
    }
  }

  /** Every field of the options and the state dir, by name, for comparison and messages. */
  private static List<String> fields(StartOptions o, StateDirOption s) throws Exception {
    List<String> out = new ArrayList<>();
    for (Object target : List.of(o, s)) {
      for (Field f : target.getClass().getDeclaredFields()) {
        f.setAccessible(true);
        Object v = f.get(target);
        out.add(
            f.getName()
                + "="
                + (v == null ? "null" : v.getClass().getSimpleName() + ":" + Objects.toString(v)));
      }
    }
    return out;
  }

  /** Asserts equivalence for {@code args}; returns whether the fast parser took them (non-null). */
  private static boolean equivalent(String... args) throws Exception {
    StartArgs fast = StartArgs.parse(args);
    if (fast == null) {
      return false;
    }
    StartCommand slow = picocli(args);
    assertThat(slow)
        .as("picocli refuses %s, which the fast parser took", Arrays.toString(args))
        .isNotNull();
    assertThat(fields(fast.options, fast.state))
        .as("fields for %s", Arrays.toString(args))
        .isEqualTo(fields(slow.options, slow.state));
    return true;
  }

  private static void taken(String... args) throws Exception {
    assertThat(equivalent(args)).as("fast parse of %s", Arrays.toString(args)).isTrue();
  }

  private static void declined(String... args) throws Exception {
    assertThat(equivalent(args)).as("fast parse of %s", Arrays.toString(args)).isFalse();
  }

  @Test
  void ordinaryStartCommandLinesAreTakenWithPicocliSValues() throws Exception {
    taken("start");
    taken("start", "--", "sleep", "600");
    taken("start", "--server", "ws://h:1", "--name", "n", "--agent-id", "id", "--", "cat");
    taken("start", "--server=ws://h:1", "--name=a=b", "--state-dir=/tmp/s", "--", "sh", "-c", "x");
    taken(
        "start",
        "--agent",
        "mock",
        "--token-file",
        "t",
        "--trust-store",
        "ca.pem",
        "--working-dir",
        ".",
        "--config",
        "c.json",
        "--log-level",
        "debug",
        "--mode",
        "exec",
        "--exec-template",
        "x {prompt}",
        "--concurrency",
        "3");
    taken(
        "start",
        "--heartbeat-interval",
        "250ms",
        "--child-grace=2s",
        "--flush-timeout",
        "PT1.5S",
        "--shutdown-timeout",
        " 7 s ",
        "--give-up-after",
        "1d");
    taken("start", "--interactive", "--", "claude");
    taken("start", "--headless", "--interactive");
    taken("start", "--exit-zero-on-signal");
    taken("start", "--exit-zero-on-signal", "--", "sleep", "1");
    taken("start", "--exit-zero-on-signal", "--name", "x");
    taken("start", "--exit-zero-on-signal", "false");
    taken("start", "--exit-zero-on-signal", "true", "--", "true");
    taken("start", "--exit-zero-on-signal=false");
    taken("start", "--", "--", "-x", "--help");
    taken("start", "--");
    taken("start", "--concurrency", "0");
  }

  @Test
  void anythingUnusualIsLeftToPicocli() throws Exception {
    declined();
    declined("stop");
    declined("start", "--help");
    declined("start", "-h");
    declined("start", "--version");
    declined("start", "-V");
    declined("start", "--bogus");
    declined("start", "sleep", "1");
    declined("start", "--name", "a", "--name", "b");
    declined("start", "--interactive", "--interactive");
    declined("start", "--interactive=true");
    declined("start", "--name");
    declined("start", "--name=");
    declined("start", "--name", "-x");
    declined("start", "--name", "--server");
    declined("start", "@args");
    declined("start", "--name", "@n");
    declined("start", "--child-grace", "soon");
    declined("start", "--child-grace", "-5s");
    declined("start", "--concurrency", "x");
    declined("start", "--concurrency", "010");
    declined("start", "--concurrency", "0x10");
    declined("start", "--concurrency", "99999999999");
    declined("start", "--state-dir", "a\0b");
    declined("start", "--exit-zero-on-signal", "TRUE");
    declined("start", "--exit-zero-on-signal", "sleep");
    declined("start", "--exit-zero-on-signal=yes");
    declined("start", "--exit-zero-on-signal", "--exit-zero-on-signal");
    declined("start", "--", "@file");
    declined("start", "--NAME", "x");
    declined("start", "--nam", "x");
  }

  @Test
  void everyOptionOfStartIsTakenInBothForms() throws Exception {
    for (OptionSpec o : OPTIONS) {
      String name = o.longestName();
      if (o.arity().max() == 0) {
        taken("start", name);
        continue;
      }
      String value = sample(o.type());
      taken("start", name, value, "--", "x");
      taken("start", name + "=" + value);
    }
  }

  private static String sample(Class<?> type) {
    if (type == java.time.Duration.class) {
      return "5s";
    }
    if (type == Integer.class) {
      return "2";
    }
    if (type == Boolean.class) {
      return "false";
    }
    return "v";
  }

  /**
   * Generated command lines mixing every option, both forms, odd values, repeats, unknown options,
   * positionals and {@code --}.
   */
  @Test
  void generatedCommandLinesAreEitherDeclinedOrParsedAsPicocliDoes() throws Exception {
    List<String> names = new ArrayList<>();
    OPTIONS.forEach(o -> names.add(o.longestName()));
    names.addAll(List.of("--bogus", "-h", "--help", "-V", "--", "--nam"));
    String[] values = {
      "v",
      "5s",
      "250ms",
      "PT2S",
      "pt2s",
      " 5s",
      "5 s",
      "0ms",
      "soon",
      "-5s",
      "",
      "@x",
      "--",
      "-x",
      "--name",
      "7",
      "007",
      "010",
      "2147483647",
      "2147483648",
      "true",
      "false",
      "TRUE",
      "False",
      "a=b",
      "ws://h:1/x?y=z",
      "sleep",
      "-- x",
      "é ü",
      "/tmp/dir",
      "./rel",
      "~",
      "a\nb"
    };
    Random random = new Random(20240611);
    int taken = 0;
    int cases = 3000;
    for (int c = 0; c < cases; c++) {
      List<String> args = new ArrayList<>(List.of("start"));
      int n = random.nextInt(7);
      for (int k = 0; k < n; k++) {
        String name = names.get(random.nextInt(names.size()));
        if (random.nextInt(10) == 0) {
          args.add(values[random.nextInt(values.length)]); // a stray word
          continue;
        }
        boolean attached = random.nextBoolean();
        boolean withValue = random.nextInt(8) != 0;
        String value = values[random.nextInt(values.length)];
        if (!withValue) {
          args.add(name);
        } else if (attached) {
          args.add(name + "=" + value);
        } else {
          args.add(name);
          args.add(value);
        }
      }
      if (random.nextBoolean()) {
        args.add("--");
        int m = random.nextInt(4);
        for (int k = 0; k < m; k++) {
          args.add(random.nextBoolean() ? "arg" + k : values[random.nextInt(values.length)]);
        }
      }
      if (equivalent(args.toArray(String[]::new))) {
        taken++;
      }
    }
    System.out.println(
        "StartArgsTest: the fast parser took "
            + taken
            + " of "
            + cases
            + " generated command lines");
    // The generator must exercise the fast parser, not only its refusals.
    assertThat(taken).as("command lines the fast parser took").isGreaterThan(cases / 10);
  }
}

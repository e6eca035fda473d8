package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.WrapperConfig;
import ai.onsembl.wrapper.login.DeviceLoginClient;
import ai.onsembl.wrapper.login.LoginFile;
import ai.onsembl.wrapper.login.SavedLogin;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent login}: the device login (RFC 8628) against an Onsembl backend. Prints one
 * line with the page to open and the code to confirm there, polls until a signed-in user approved
 * it, and saves the login (mode 0600, atomically) in the state dir, where {@code start} finds it.
 * {@code --status} shows it.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Log in to an Onsembl backend (device login): open the page it prints, confirm the code,",
      "and start uses the saved login (refreshing it before it expires).",
      "Exit codes: 0 logged in; 2 usage; 3 the code expired or the login was refused",
      "(--status: not logged in); 4 backend unreachable."
    })
public final class LoginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StateDirOption state = new StateDirOption();

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "The backend's HTTP(S) base URL; a ws:// or wss:// URL means the same host and port (default:"
              + " env ONSEMBL_SERVER_URL, key server, else "
              + "http://localhost:3001).")
  String server;

  @Option(
      names = "--status",
      description = "Show the saved login: server, user, expiry. Exit 3 when there is none.")
  boolean status;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    Path stateDir = state.resolve(env);
    LoginFile file = LoginFile.ours(stateDir);
    PrintWriter out = spec.commandLine().getOut();
    if (status) {
      return status(file, out);
    }
    DeviceLoginClient client = new DeviceLoginClient(serverUrl(stateDir));
    DeviceLoginClient.Authorization a = client.authorize();
    out.println(
        "onsembl login: open "
            + a.verificationUriComplete()
            + " and confirm the code "
            + a.userCode());
    out.flush();
    SavedLogin login = client.await(a, d -> Thread.sleep(d.toMillis()));
    file.write(login);
    out.println(
        "onsembl login: logged in to "
            + login.serverUrl()
            + as(login)
            + "; access token valid until "
            + login.expiresAt()
            + " (refreshed by start), saved in "
            + file.path());
    out.flush();
    return 0;
  }

  private String serverUrl(Path stateDir) {
    if (server != null) {
      return server;
    }
    String e = env.get("ONSEMBL_SERVER_URL");
    if (e != null && !e.isBlank()) {
      return e;
    }
    String fromFile = ConfigFile.read(stateDir.resolve("config.json"), false).text("server");
    return fromFile != null ? fromFile : WrapperConfig.DEFAULT_SERVER.toString();
  }

  private static String as(SavedLogin l) {
    return l.userId() == null ? "" : " as " + l.userId();
  }

  private static int status(LoginFile file, PrintWriter out) {
    Optional<SavedLogin> ours = file.read();
    LoginFile ts = LoginFile.typeScript(LoginFile.typeScriptDir());
    Optional<SavedLogin> l = ours.isPresent() ? ours : ts.read();
    if (l.isEmpty()) {
      out.println(
          "onsembl login: not logged in (no "
              + file.path()
              + ", no "
              + ts.path()
              + "); run onsembl-agent login");
      out.flush();
      throw new AgentExitException(AgentExitException.AUTH_REJECTED, "not logged in");
    }
    SavedLogin s = l.get();
    Duration left = Duration.between(Instant.now(), s.expiresAt());
    out.println("server:  " + s.serverUrl());
    out.println("user:    " + (s.userId() == null ? "(unknown)" : s.userId()));
    out.println(
        "expires: "
            + s.expiresAt()
            + (left.isNegative()
                ? " (expired; start refreshes it)"
                : " (in " + left.toMinutes() + " min)"));
    out.println(
        "refresh: " + (s.refreshToken() == null ? "none (log in again when it expires)" : "saved"));
    out.println(
        "file:    "
            + (ours.isPresent() ? file.path() : ts.path() + " (the TypeScript wrapper's login)"));
    out.flush();
    return 0;
  }
}

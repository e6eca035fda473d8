package ai.onsembl.wrapper.login;

import ai.onsembl.wrapper.AgentExitException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The device's side of the OAuth 2.0 device authorization grant (RFC 8628) as the Onsembl backend
 * offers it: {@code POST /api/auth/device/authorize}, polling {@code /api/auth/device/token} at the
 * interval it asks for (5 s more after each {@code slow_down}), and {@code POST
 * /api/auth/cli/refresh}. Uses the JDK's HTTP client, loaded only when a login or a refresh
 * actually happens.
 */
public final class DeviceLoginClient {
  public static final String CLIENT_ID = "onsembl-cli";
  public static final String SCOPE = "agent:manage";
  static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** What {@code authorize} answered. */
  public record Authorization(
      String deviceCode,
      String userCode,
      String verificationUri,
      String verificationUriComplete,
      long expiresIn,
      long interval) {
    @Override
    public String toString() {
      return "Authorization[userCode="
          + userCode
          + ", verificationUri="
          + verificationUri
          + ", expiresIn="
          + expiresIn
          + ", interval="
          + interval
          + ", deviceCode=***]";
    }
  }

  /** Waits between polls (tests record the waits instead). */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final String base;
  private final HttpClient http;
  private final Clock clock;

  public DeviceLoginClient(String serverUrl) {
    this(serverUrl, Clock.systemUTC());
  }

  DeviceLoginClient(String serverUrl, Clock clock) {
    this.base = httpBase(serverUrl);
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The backend's HTTP(S) base this client talks to. */
  public String base() {
    return base;
  }

  /**
   * The HTTP(S) base of a backend URL: {@code http(s)://host:port} as given (without a trailing
   * slash); {@code ws://} and {@code wss://} map to {@code http://} and {@code https://} on the
   * same host and port, without the path ({@code /ws/agent}).
   *
   * @throws AgentExitException (exit 2) for anything else
   */
  public static String httpBase(String serverUrl) {
    URI u;
    try {
      u = new URI(serverUrl == null ? "" : serverUrl.trim());
    } catch (URISyntaxException e) {
      throw AgentExitException.invalidInput(
          "--server: expected an http(s):// or ws(s):// URL but got '" + serverUrl + "'");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (u.getHost() == null || !List.of("http", "https", "ws", "wss").contains(scheme)) {
      throw AgentExitException.invalidInput(
          "--server: expected an http(s):// or ws(s):// URL but got '" + serverUrl + "'");
    }
    String hostPort = u.getRawAuthority();
    if (scheme.startsWith("ws")) {
      return (scheme.equals("wss") ? "https" : "http") + "://" + hostPort;
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return scheme + "://" + hostPort + path;
  }

  /** Asks for a device code and a user code. */
  public Authorization authorize() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("client_id", CLIENT_ID);
    body.put("scope", SCOPE);
    Reply r = post("/api/auth/device/authorize", body);
    if (r.status != 200) {
      throw new AgentExitException(
          AgentExitException.AUTH_REJECTED,
          base + " refused the device login: HTTP " + r.status + " " + r.describe());
    }
    String device = r.text("device_code");
    String user = r.text("user_code");
    String uri = r.text("verification_uri");
    if (device == null || user == null || uri == null) {
      throw new AgentExitException(
          AgentExitException.AUTH_REJECTED,
          base
              + "/api/auth/device/authorize answered"
              + " without device_code, user_code or verification_uri; is this an Onsembl backend?");
    }
    String complete = r.text("verification_uri_complete");
    return new Authorization(
        device,
        user,
        uri,
        complete != null ? complete : uri,
        r.number("expires_in", 600),
        r.number("interval", 5));
  }

  /**
   * Polls until the user approved the code: at the interval the backend asked for, 5 s more after
   * each {@code slow_down}, until the code expires.
   *
   * @throws AgentExitException exit 3 when the code expired or the login was refused; exit 4 when
   *     the backend cannot be reached
   */
  public SavedLogin await(Authorization a, Sleeper sleeper) throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("device_code", a.deviceCode());
    body.put("grant_type", DEVICE_GRANT);
    long interval = Math.max(1, a.interval());
    Instant deadline = clock.instant().plusSeconds(a.expiresIn());
    while (true) {
      sleeper.sleep(Duration.ofSeconds(interval));
      Reply r = post("/api/auth/device/token", body);
      if (r.status == 200) {
        return login(r, null);
      }
      String error = r.text("error");
      if ("authorization_pending".equals(error)) {
        // keep polling
      } else if ("slow_down".equals(error)) {
        interval += 5;
      } else if ("expired_token".equals(error)) {
        throw new AgentExitException(
            AgentExitException.AUTH_REJECTED,
            "the code "
                + a.userCode()
                + " expired before it was confirmed; run onsembl-agent login again");
      } else {
        throw new AgentExitException(
            AgentExitException.AUTH_REJECTED,
            base + " refused the login: HTTP " + r.status + " " + r.describe());
      }
      if (clock.instant().isAfter(deadline)) {
        throw new AgentExitException(
            AgentExitException.AUTH_REJECTED,
            "the code "
                + a.userCode()
                + " expired before it was confirmed; run onsembl-agent login again");
      }
    }
  }

  /** Thrown by {@link #refresh} when the backend refused the refresh token (HTTP 400 or 401). */
  public static final class RefreshRefused extends Exception {
    private static final long serialVersionUID = 1L;

    RefreshRefused(String message) {
      super(message);
    }
  }

  /**
   * Exchanges {@code login}'s refresh token for a new pair.
   *
   * @throws RefreshRefused when the backend refused it
   * @throws IOException when the backend could not be reached
   */
  public SavedLogin refresh(SavedLogin login) throws RefreshRefused, IOException {
    if (login.refreshToken() == null || login.refreshToken().isBlank()) {
      throw new RefreshRefused("the saved login has no refresh token");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("refresh_token", login.refreshToken());
    body.put("grant_type", "refresh_token");
    Reply r;
    try {
      r = send("/api/auth/cli/refresh", body);
    } catch (IOException e) {
      throw new IOException("cannot reach " + base + "/api/auth/cli/refresh: " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (r.status == 200) {
      return login(r, login);
    }
    if (r.status == 400 || r.status == 401 || r.status == 403) {
      throw new RefreshRefused(
          base + " refused the refresh token: HTTP " + r.status + " " + r.describe());
    }
    throw new IOException(
        base + "/api/auth/cli/refresh answered HTTP " + r.status + " " + r.describe());
  }

  private SavedLogin login(Reply r, SavedLogin previous) {
    String access = r.text("access_token");
    if (access == null || access.isBlank()) {
      throw new AgentExitException(
          AgentExitException.AUTH_REJECTED, base + " answered 200 without an access_token");
    }
    Instant expires = clock.instant().plusSeconds(r.number("expires_in", 3600));
    String refresh = r.text("refresh_token");
    if (previous != null) {
      return previous.renewed(access, refresh, expires);
    }
    String scope = r.text("scope");
    return new SavedLogin(
        base,
        access,
        refresh,
        expires,
        r.text("user_id"),
        scope == null || scope.isBlank() ? List.of(SCOPE) : List.of(scope.trim().split("\\s+")));
  }

  // ---- HTTP
  // --------------------------------------------------------------------------------------------

  private record Reply(int status, Map<String, Object> json, String raw) {
    String text(String name) {
      Object v = json.get(name);
      return v == null ? null : v.toString();
    }

    long number(String name, long fallback) {
      Object v = json.get(name);
      return v instanceof Number n ? n.longValue() : fallback;
    }

    /** The backend's error and its description (never a token: error bodies carry none). */
    String describe() {
      String e = text("error");
      String d = text("error_description");
      if (d == null) {
        d = text("message");
      }
      if (e == null && d == null) {
        return raw.length() > 200 ? raw.substring(0, 200) + "…" : raw;
      }
      return (e == null ? "" : e) + (d == null ? "" : (e == null ? "" : ": ") + d);
    }
  }

  private Reply post(String path, Map<String, Object> body) {
    try {
      return send(path, body);
    } catch (IOException e) {
      throw AgentExitException.unreachable("cannot reach " + base + path + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentExitException(AgentExitException.INTERNAL, "interrupted");
    }
  }

  private Reply send(String path, Map<String, Object> body)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(FlatJson.write(body)))
            .build();
    HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    Map<String, Object> json;
    try {
      json = FlatJson.parse(resp.body());
    } catch (IOException | RuntimeException e) {
      json = Map.of();
    }
    return new Reply(resp.statusCode(), json, new String(resp.body(), StandardCharsets.UTF_8));
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}

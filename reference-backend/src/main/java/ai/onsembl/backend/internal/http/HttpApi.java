package ai.onsembl.backend.internal.http;

import ai.onsembl.backend.internal.BackendApi;
import ai.onsembl.backend.internal.http.Router.Access;
import ai.onsembl.backend.internal.http.Router.Response;
import ai.onsembl.backend.internal.web.DashboardWeb;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The HTTP side on the JDK's HttpServer: one {@link Router} for every path. To add pages or static
 * files, register more routes in {@link #registerRoutes} (or on {@link #router()}); a login cookie
 * is another credential source on {@link Router#auth()}.
 */
public final class HttpApi {
  /**
   * Threads that read and answer requests; more than slow clients can plausibly hold for a
   * deadline.
   */
  static final int MAX_THREADS = 256;

  /**
   * Seconds a client has to send its request line and headers (the JDK's
   * sun.net.httpserver.maxReqTime).
   */
  static final int REQUEST_DEADLINE_SECONDS = 10;

  static {
    // Read once, when the JDK creates its first HttpServer: an explicit -D setting wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_DEADLINE_SECONDS));
    setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Router router;

  public HttpApi(BackendApi api, String host, int port) {
    this(api, host, port, null);
  }

  /**
   * As {@link #HttpApi(BackendApi, String, int)}, serving HTTPS with {@code tls} when it is not
   * null.
   */
  public HttpApi(BackendApi api, String host, int port, SSLContext tls) {
    this.router = new Router(new HttpAuth(api::isDashboardToken));
    registerRoutes(router, api);
    AtomicInteger n = new AtomicInteger();
    // The JDK server reads each request on an executor thread, blocking: a few clients sending an
    // unfinished
    // request would hold a small pool. Threads are made on demand up to MAX_THREADS (idle ones
    // end), and
    // sun.net.httpserver.maxReqTime (REQUEST_DEADLINE_SECONDS) closes a connection whose request is
    // not read
    // in time, so slow clients hold a thread for seconds, not forever.
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            MAX_THREADS,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "onsembl-backend-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    try {
      if (tls != null) {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 128);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      } else {
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
      }
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "cannot listen on http://" + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", router);
    server.setExecutor(executor);
    server.start();
  }

  private static void registerRoutes(Router router, BackendApi api) {
    router.add(
        "GET",
        "/healthz",
        Access.PUBLIC,
        req -> {
          Map<String, String> parts = api.health();
          boolean up = parts.values().stream().allMatch("up"::equals);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", up ? "ok" : "down");
          body.putAll(parts);
          body.put("agentsOnline", api.onlineCount());
          return Response.json(up ? 200 : 503, body);
        });
    router.add(
        "GET",
        "/metrics",
        Access.DASHBOARD,
        req -> new Response(200, api.metrics().contentType(), api.metrics().scrape(), Map.of()));
    ApiRoutes.register(router, api);
    DeviceRoutes.register(router, api);
  }

  /**
   * Serves the /agents page and its sign-in, and accepts the page's session cookie on protected
   * routes.
   */
  public void addDashboardPage(DashboardWeb web) {
    web.register(server);
    router.auth().addRequestCheck(web::authenticates);
  }

  public Router router() {
    return router;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Bounded: in-flight exchanges are cut off (JDK 17 waits the full delay even when idle). */
  public void stop() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The HTTP side on the JDK's HttpServer: one {@link Router} for every path. To add pages or static files,
 * register more routes in {@link #registerRoutes} (or on {@link #router()}); a login cookie is another
 * credential source on {@link Router#auth()}.
 */
public final class HttpApi {
  private final HttpServer server;
  private final ExecutorService executor;
  private final Router router;

  public HttpApi(BackendApi api, String host, int port) {
    this(api, host, port, null);
  }

  /** As {@link #HttpApi(BackendApi, String, int)}, serving HTTPS with {@code tls} when it is not null. */
  public HttpApi(BackendApi api, String host, int port, SSLContext tls) {
    this.router = new Router(new HttpAuth(api::isDashboardToken));
    registerRoutes(router, api);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "onsembl-backend-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
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
      throw new UncheckedIOException("cannot listen on http://" + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", router);
    server.setExecutor(executor);
    server.start();
  }

  private static void registerRoutes(Router router, BackendApi api) {
    router.add("GET", "/healthz", Access.PUBLIC, req -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "ok");
      body.put("agentsOnline", api.onlineCount());
      return Response.json(200, body);
    });
    router.add("GET", "/metrics", Access.DASHBOARD, req -> new Response(200, api.metrics().contentType(),
        api.metrics().scrape(), Map.of()));
    ApiRoutes.register(router, api);
    DeviceRoutes.register(router, api);
  }

  /** Serves the /agents page and its sign-in, and accepts the page's session cookie on protected routes. */
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

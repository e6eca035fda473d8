package ai.onsembl.backend.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Who may call the protected routes: the dashboard token as {@code Authorization: Bearer}. More
 * credential sources (a login cookie for the {@code /agents} page) are added with {@link
 * #addCredentialSource}.
 */
public final class HttpAuth {
  private final Predicate<String> isDashboardToken;
  private final List<Function<HttpExchange, Optional<String>>> sources =
      new CopyOnWriteArrayList<>();
  private final List<Predicate<HttpExchange>> requestChecks = new CopyOnWriteArrayList<>();

  HttpAuth(Predicate<String> isDashboardToken) {
    this.isDashboardToken = isDashboardToken;
    sources.add(HttpAuth::bearer);
  }

  /** Adds a place a dashboard credential may come from; each is checked like the Bearer token. */
  public void addCredentialSource(Function<HttpExchange, Optional<String>> source) {
    sources.add(source);
  }

  /**
   * Adds a check of the whole request that authorizes it on its own (the /agents page's session
   * cookie).
   */
  public void addRequestCheck(Predicate<HttpExchange> check) {
    requestChecks.add(check);
  }

  public boolean authorized(HttpExchange exchange) {
    for (Predicate<HttpExchange> check : requestChecks) {
      if (check.test(exchange)) {
        return true;
      }
    }
    for (Function<HttpExchange, Optional<String>> source : sources) {
      Optional<String> token = source.apply(exchange);
      if (token.isPresent() && isDashboardToken.test(token.get())) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code token} is a dashboard credential. */
  public boolean isDashboardToken(String token) {
    return token != null && isDashboardToken.test(token);
  }

  static Optional<String> bearer(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(header.substring(7).trim());
    }
    return Optional.empty();
  }
}

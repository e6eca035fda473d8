package ai.onsembl.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK HTTP client against the backend's REST API. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Reply(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("Expected JSON but got: " + body, e);
      }
    }
  }

  private Http() {}

  static Reply get(String baseUrl, String path, String token) throws Exception {
    return send(base(baseUrl, path, token).GET().build());
  }

  static Reply post(String baseUrl, String path, String token, String body) throws Exception {
    return send(
        base(baseUrl, path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static HttpRequest.Builder base(String baseUrl, String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static Reply send(HttpRequest r) throws Exception {
    HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    return new Reply(
        resp.statusCode(), resp.body(), resp.headers().firstValue("Content-Type").orElse(""));
  }
}

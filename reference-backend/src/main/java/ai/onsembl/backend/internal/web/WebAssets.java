package ai.onsembl.backend.internal.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The page's files, read once from the classpath ({@code web/}).
 *
 * <p>Only the names listed here are ever served: a request path is looked up as a key, never joined
 * to a directory, so no {@code ..}, encoded slash or absolute path can reach another file.
 */
public final class WebAssets {

  /** One file: its bytes, content type and a strong ETag over the bytes. */
  public record Asset(String name, byte[] bytes, String contentType, String etag) {}

  private static final List<String> NAMES =
      List.of(
          "agents.html", "login.html", "agents.css", "agents.js", "table.js", "panel.js", "dom.js");

  private final Map<String, Asset> assets;

  private WebAssets(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  /** Loads every page file; fails at startup, not at the first request, when one is missing. */
  public static WebAssets fromClasspath() {
    return new WebAssets(
        NAMES.stream()
            .map(WebAssets::load)
            .collect(Collectors.toMap(Asset::name, Function.identity())));
  }

  /** The file called {@code name}, if it is one of the page's files. */
  public Optional<Asset> get(String name) {
    return Optional.ofNullable(assets.get(name));
  }

  /** The file called {@code name}; it must exist. */
  public Asset require(String name) {
    return get(name).orElseThrow(() -> new IllegalArgumentException("no web asset " + name));
  }

  private static Asset load(String name) {
    String resource = "/web/" + name;
    try (InputStream in = WebAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + resource);
      }
      byte[] bytes = in.readAllBytes();
      return new Asset(name, bytes, contentType(name), etag(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "application/octet-stream";
  }

  static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

package ai.onsembl.backend.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** JSON for the REST API. */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** The body as a JSON object, or a {@link Router.HttpError} 400 that says what came instead. */
  static JsonNode readObject(byte[] body) {
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new Router.HttpError(
          400, "INVALID_MESSAGE", "expected a JSON object body but it is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new Router.HttpError(
          400,
          "INVALID_MESSAGE",
          "expected a JSON object body but got " + (node == null ? "nothing" : node.getNodeType()));
    }
    return node;
  }
}

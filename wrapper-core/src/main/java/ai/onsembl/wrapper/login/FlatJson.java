package ai.onsembl.wrapper.login;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One-level JSON objects (strings, numbers, booleans, null, arrays of scalars) with jackson-core
 * alone: a starting wrapper reads its saved login without loading jackson-databind.
 */
final class FlatJson {
  private static final JsonFactory JSON = new JsonFactory();

  private FlatJson() {}

  /**
   * The object's fields; nested objects are skipped. Throws IOException for anything but a JSON
   * object.
   */
  static Map<String, Object> parse(byte[] bytes) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_ARRAY) {
          List<Object> list = new ArrayList<>();
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
              throw new IOException("unterminated array");
            }
            if (t.isScalarValue()) {
              list.add(scalar(p, t));
            } else {
              p.skipChildren();
            }
          }
          out.put(name, list);
        } else if (t == JsonToken.START_OBJECT) {
          p.skipChildren();
        } else if (t != null) {
          out.put(name, scalar(p, t));
        } else {
          throw new IOException("unterminated object");
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("unterminated object");
      }
    }
    return out;
  }

  private static Object scalar(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }

  static byte[] write(Map<String, ?> fields) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
      g.writeStartObject();
      for (Map.Entry<String, ?> e : fields.entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long || v instanceof Integer) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }
}

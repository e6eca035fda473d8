package ai.onsembl.protocol.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** {@link PayloadReader} over a jackson-databind tree: the full {@code ProtocolCodec}'s. */
public final class NodeReader extends PayloadReader {
  private final ObjectNode node;
  private final ObjectMapper mapper;

  public NodeReader(ObjectNode node, String path, ObjectMapper mapper) {
    super(path);
    this.node = node;
    this.mapper = mapper;
  }

  /**
   * A short rendering of what came: {@code "abc"}, {@code 12}, {@code an object}, {@code nothing}.
   */
  public static String describe(JsonNode got) {
    if (got == null || got.isMissingNode()) {
      return "nothing";
    }
    if (got.isNull()) {
      return "null";
    }
    if (got.isObject()) {
      return "an object";
    }
    if (got.isArray()) {
      return "an array";
    }
    return shown(got.toString());
  }

  @Override
  protected Object raw(String name) {
    JsonNode v = node.get(name);
    return v == null ? ABSENT : v;
  }

  @Override
  protected Kind kind(Object o) {
    if (o == ABSENT || o == null) {
      return Kind.MISSING;
    }
    JsonNode v = (JsonNode) o;
    if (v.isMissingNode()) {
      return Kind.MISSING;
    }
    if (v.isNull()) {
      return Kind.NULL;
    }
    if (v.isTextual()) {
      return Kind.STRING;
    }
    if (v.isIntegralNumber()) {
      return Kind.INTEGRAL;
    }
    if (v.isNumber()) {
      return Kind.FLOAT;
    }
    if (v.isBoolean()) {
      return Kind.BOOLEAN;
    }
    if (v.isObject()) {
      return Kind.OBJECT;
    }
    if (v.isArray()) {
      return Kind.ARRAY;
    }
    // binary or POJO nodes never come out of parsing text
    return Kind.STRING;
  }

  @Override
  protected String text(Object v) {
    return ((JsonNode) v).textValue();
  }

  @Override
  protected boolean fitsLong(Object v) {
    return ((JsonNode) v).canConvertToLong();
  }

  @Override
  protected boolean fitsInt(Object v) {
    return ((JsonNode) v).canConvertToInt();
  }

  @Override
  protected long longOf(Object v) {
    return ((JsonNode) v).longValue();
  }

  @Override
  protected int intOf(Object v) {
    return ((JsonNode) v).intValue();
  }

  @Override
  protected double doubleOf(Object v) {
    return ((JsonNode) v).doubleValue();
  }

  @Override
  protected boolean booleanOf(Object v) {
    return ((JsonNode) v).booleanValue();
  }

  @Override
  protected int size(Object array) {
    return ((JsonNode) array).size();
  }

  @Override
  protected Object element(Object array, int i) {
    return ((JsonNode) array).get(i);
  }

  @Override
  protected PayloadReader child(Object v, String childPath) {
    return new NodeReader((ObjectNode) v, childPath, mapper);
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Map<String, Object> toMap(Object v) {
    return mapper.convertValue(v, Map.class);
  }

  @Override
  protected String scalarText(Object v) {
    return v.toString();
  }
}

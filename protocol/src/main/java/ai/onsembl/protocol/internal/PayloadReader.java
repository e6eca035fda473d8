package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Selection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads typed fields out of one JSON object, naming the field, what was expected and what came on any
 * mismatch: {@code payload.sequence: expected a positive integer but got "abc"}. Absent and JSON
 * {@code null} are the same for optional fields.
 */
public final class PayloadReader {
  private static final int SHOWN_CHARS = 60;

  private final ObjectNode node;
  private final String path;
  private final ObjectMapper mapper;

  public PayloadReader(ObjectNode node, String path, ObjectMapper mapper) {
    this.node = node;
    this.path = path;
    this.mapper = mapper;
  }

  /** Thrown for a field that does not have the expected form; the codec turns it into a ProtocolException. */
  public static final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FieldException(String message) {
      super(message, null, false, false);
    }
  }

  private JsonNode get(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  private FieldException wrong(String name, String expected, JsonNode got) {
    return new FieldException(path + "." + name + ": expected " + expected + " but got " + describe(got));
  }

  /** A short rendering of what came: {@code "abc"}, {@code 12}, {@code an object}, {@code nothing}. */
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
    String s = got.toString();
    return s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "…" : s;
  }

  public String reqString(String name) {
    JsonNode v = get(name);
    if (v == null || !v.isTextual()) {
      throw wrong(name, "a string", node.get(name));
    }
    return v.textValue();
  }

  /** A required string that must not be empty (ids). */
  public String reqId(String name) {
    JsonNode v = get(name);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw wrong(name, "a non-empty string", node.get(name));
    }
    return v.textValue();
  }

  public String optString(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw wrong(name, "a string", v);
    }
    return v.textValue();
  }

  public long reqPositiveLong(String name) {
    JsonNode v = get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
      throw wrong(name, "a positive integer", node.get(name));
    }
    return v.longValue();
  }

  public Long optPositiveLong(String name) {
    return get(name) == null ? null : reqPositiveLong(name);
  }

  public Long optLong(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isNumber() || !v.canConvertToLong() || (!v.isIntegralNumber() && v.doubleValue() != Math.rint(v.doubleValue()))) {
      throw wrong(name, "an integer", v);
    }
    return v.longValue();
  }

  public Long optNonNegativeLong(String name) {
    Long v = optLong(name);
    if (v != null && v < 0) {
      throw wrong(name, "a non-negative integer", get(name));
    }
    return v;
  }

  public Integer optInt(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw wrong(name, "a 32-bit integer", v);
    }
    return v.intValue();
  }

  public Double optDouble(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw wrong(name, "a number", v);
    }
    return v.doubleValue();
  }

  public Boolean optBoolean(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw wrong(name, "true or false", v);
    }
    return v.booleanValue();
  }

  public <E extends Enum<E>> EnumValue<E> reqEnum(String name, Class<E> type) {
    JsonNode v = get(name);
    if (v == null || !v.isTextual()) {
      throw wrong(name, "one of " + names(type), node.get(name));
    }
    return EnumValue.parse(type, v.textValue());
  }

  public <E extends Enum<E>> EnumValue<E> optEnum(String name, Class<E> type) {
    return get(name) == null ? null : reqEnum(name, type);
  }

  private static <E extends Enum<E>> String names(Class<E> type) {
    List<String> out = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      if (!e.name().equals("UNKNOWN")) {
        out.add(e.name());
      }
    }
    return String.join("|", out) + " (a string)";
  }

  /** An optional nested object, read by {@code fn}. */
  public <T> T optObject(String name, Function<PayloadReader, T> fn) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw wrong(name, "an object", v);
    }
    return fn.apply(new PayloadReader((ObjectNode) v, path + "." + name, mapper));
  }

  public <T> T reqObject(String name, Function<PayloadReader, T> fn) {
    if (get(name) == null) {
      throw wrong(name, "an object", node.get(name));
    }
    return optObject(name, fn);
  }

  public List<String> optStringList(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      throw wrong(name, "an array of strings", v);
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        throw new FieldException(path + "." + name + "[" + i + "]: expected a string but got " + describe(e));
      }
      out.add(e.textValue());
    }
    return out;
  }

  /**
   * A subscription selection: an array of ids ({@code ["*"]} = all), or the web frontend's object
   * {@code {"all": true}} / {@code {"ids": [...]}}.
   */
  public Selection optSelection(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (v.isArray()) {
      return Selection.ofIds(optStringList(name));
    }
    if (!v.isObject()) {
      throw wrong(name, "an array of ids or an object {\"all\": true|false, \"ids\": [...]}", v);
    }
    return optObject(name, o -> new Selection(o.optStringList("ids"), o.optBoolean("all"), true));
  }

  public <T> List<T> optObjectList(String name, Function<PayloadReader, T> fn) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      throw wrong(name, "an array", v);
    }
    List<T> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String p = path + "." + name + "[" + i + "]";
      if (!e.isObject()) {
        throw new FieldException(p + ": expected an object but got " + describe(e));
      }
      out.add(fn.apply(new PayloadReader((ObjectNode) e, p, mapper)));
    }
    return out;
  }

  /** Free-form JSON object, as maps, lists and scalars. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> optMap(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw wrong(name, "an object", v);
    }
    return Collections.unmodifiableMap(mapper.convertValue(v, Map.class));
  }

  /** Capabilities as an object ({@code maxTokens, ...}) or as a list of names. */
  public Capabilities optCapabilities(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return null;
    }
    if (v.isArray()) {
      return Capabilities.ofNames(optStringList(name));
    }
    if (!v.isObject()) {
      throw wrong(name, "an object or an array of names", v);
    }
    return optObject(name, r -> new Capabilities(r.optInt("maxTokens"), r.optBoolean("supportsInterrupt"),
        r.optBoolean("supportsTrace"), null));
  }
}

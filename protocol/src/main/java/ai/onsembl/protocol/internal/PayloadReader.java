package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Selection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads typed fields out of one JSON object, naming the field, what was expected and what came on
 * any mismatch: {@code payload.sequence: expected a positive integer but got "abc"}. Absent and
 * JSON {@code null} are the same for optional fields.
 *
 * <p>The rules live here once; a subclass only says what a JSON value is. {@link NodeReader} reads
 * jackson-databind trees (the full {@code ProtocolCodec}), {@link TreeReader} plain maps and lists
 * built on jackson-core alone ({@code StreamingCodec}), so both codecs decode every payload the
 * same way.
 */
public abstract class PayloadReader {
  private static final int SHOWN_CHARS = 60;

  /** What a JSON value is, as far as these rules care. */
  protected enum Kind {
    MISSING,
    NULL,
    STRING,
    INTEGRAL,
    FLOAT,
    BOOLEAN,
    OBJECT,
    ARRAY
  }

  /** The value of an absent field. */
  protected static final Object ABSENT = new Object();

  private final String path;

  protected PayloadReader(String path) {
    this.path = path;
  }

  /**
   * Thrown for a field that does not have the expected form; the codec turns it into a
   * ProtocolException.
   */
  public static final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FieldException(String message) {
      super(message, null, false, false);
    }
  }

  /** The field's value as stored, {@link #ABSENT} when the object has no such field. */
  protected abstract Object raw(String name);

  protected abstract Kind kind(Object v);

  protected abstract String text(Object v);

  protected abstract boolean fitsLong(Object v);

  protected abstract boolean fitsInt(Object v);

  protected abstract long longOf(Object v);

  protected abstract int intOf(Object v);

  protected abstract double doubleOf(Object v);

  protected abstract boolean booleanOf(Object v);

  protected abstract int size(Object array);

  protected abstract Object element(Object array, int i);

  /** A reader of the object {@code v}, at {@code childPath}. */
  protected abstract PayloadReader child(Object v, String childPath);

  /**
   * The object {@code v} as maps, lists and scalars (numbers as Integer, Long, BigInteger or
   * Double).
   */
  protected abstract Map<String, Object> toMap(Object v);

  /** The JSON text of a scalar (string, number, boolean). */
  protected abstract String scalarText(Object v);

  private Object get(String name) {
    Object v = raw(name);
    Kind k = kind(v);
    return k == Kind.MISSING || k == Kind.NULL ? null : v;
  }

  private boolean isText(Object v) {
    return kind(v) == Kind.STRING;
  }

  private boolean isNumber(Object v) {
    Kind k = kind(v);
    return k == Kind.INTEGRAL || k == Kind.FLOAT;
  }

  private FieldException wrong(String name, String expected, Object got) {
    return new FieldException(
        path + "." + name + ": expected " + expected + " but got " + describeValue(got));
  }

  /**
   * A short rendering of what came: {@code "abc"}, {@code 12}, {@code an object}, {@code nothing}.
   */
  protected final String describeValue(Object got) {
    switch (kind(got)) {
      case MISSING:
        return "nothing";
      case NULL:
        return "null";
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      default:
        return shown(scalarText(got));
    }
  }

  /** {@code s} cut to the length error messages show. */
  public static String shown(String s) {
    return s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "…" : s;
  }

  public String reqString(String name) {
    Object v = get(name);
    if (v == null || !isText(v)) {
      throw wrong(name, "a string", raw(name));
    }
    return text(v);
  }

  /** A required string that must not be empty (ids). */
  public String reqId(String name) {
    Object v = get(name);
    if (v == null || !isText(v) || text(v).isEmpty()) {
      throw wrong(name, "a non-empty string", raw(name));
    }
    return text(v);
  }

  public String optString(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (!isText(v)) {
      throw wrong(name, "a string", v);
    }
    return text(v);
  }

  public long reqPositiveLong(String name) {
    Object v = get(name);
    if (v == null || kind(v) != Kind.INTEGRAL || !fitsLong(v) || longOf(v) < 1) {
      throw wrong(name, "a positive integer", raw(name));
    }
    return longOf(v);
  }

  public Long optPositiveLong(String name) {
    return get(name) == null ? null : reqPositiveLong(name);
  }

  public Long optLong(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (!isNumber(v)
        || !fitsLong(v)
        || (kind(v) != Kind.INTEGRAL && doubleOf(v) != Math.rint(doubleOf(v)))) {
      throw wrong(name, "an integer", v);
    }
    return longOf(v);
  }

  public Long optNonNegativeLong(String name) {
    Long v = optLong(name);
    if (v != null && v < 0) {
      throw wrong(name, "a non-negative integer", get(name));
    }
    return v;
  }

  public Integer optInt(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.INTEGRAL || !fitsInt(v)) {
      throw wrong(name, "a 32-bit integer", v);
    }
    return intOf(v);
  }

  public Double optDouble(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (!isNumber(v)) {
      throw wrong(name, "a number", v);
    }
    return doubleOf(v);
  }

  public Boolean optBoolean(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.BOOLEAN) {
      throw wrong(name, "true or false", v);
    }
    return booleanOf(v);
  }

  public <E extends Enum<E>> EnumValue<E> reqEnum(String name, Class<E> type) {
    Object v = get(name);
    if (v == null || !isText(v)) {
      throw wrong(name, "one of " + names(type), raw(name));
    }
    return EnumValue.parse(type, text(v));
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
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.OBJECT) {
      throw wrong(name, "an object", v);
    }
    return fn.apply(child(v, path + "." + name));
  }

  public <T> T reqObject(String name, Function<PayloadReader, T> fn) {
    if (get(name) == null) {
      throw wrong(name, "an object", raw(name));
    }
    return optObject(name, fn);
  }

  public List<String> optStringList(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.ARRAY) {
      throw wrong(name, "an array of strings", v);
    }
    int n = size(v);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Object e = element(v, i);
      if (!isText(e)) {
        throw new FieldException(
            path + "." + name + "[" + i + "]: expected a string but got " + describeValue(e));
      }
      out.add(text(e));
    }
    return out;
  }

  /**
   * A subscription selection: an array of ids ({@code ["*"]} = all), or the web frontend's object
   * {@code {"all": true}} / {@code {"ids": [...]}}.
   */
  public Selection optSelection(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) == Kind.ARRAY) {
      return Selection.ofIds(optStringList(name));
    }
    if (kind(v) != Kind.OBJECT) {
      throw wrong(name, "an array of ids or an object {\"all\": true|false, \"ids\": [...]}", v);
    }
    return optObject(name, o -> new Selection(o.optStringList("ids"), o.optBoolean("all"), true));
  }

  public <T> List<T> optObjectList(String name, Function<PayloadReader, T> fn) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.ARRAY) {
      throw wrong(name, "an array", v);
    }
    int n = size(v);
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Object e = element(v, i);
      String p = path + "." + name + "[" + i + "]";
      if (kind(e) != Kind.OBJECT) {
        throw new FieldException(p + ": expected an object but got " + describeValue(e));
      }
      out.add(fn.apply(child(e, p)));
    }
    return out;
  }

  /** Free-form JSON object, as maps, lists and scalars. */
  public Map<String, Object> optMap(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) != Kind.OBJECT) {
      throw wrong(name, "an object", v);
    }
    return Collections.unmodifiableMap(toMap(v));
  }

  /** Capabilities as an object ({@code maxTokens, ...}) or as a list of names. */
  public Capabilities optCapabilities(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (kind(v) == Kind.ARRAY) {
      return Capabilities.ofNames(optStringList(name));
    }
    if (kind(v) != Kind.OBJECT) {
      throw wrong(name, "an object or an array of names", v);
    }
    return optObject(
        name,
        r ->
            new Capabilities(
                r.optInt("maxTokens"),
                r.optBoolean("supportsInterrupt"),
                r.optBoolean("supportsTrace"),
                null));
  }
}

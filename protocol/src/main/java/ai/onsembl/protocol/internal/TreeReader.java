package ai.onsembl.protocol.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PayloadReader} over plain values read with jackson-core alone: objects are {@code
 * LinkedHashMap}s, arrays {@code ArrayList}s, JSON null is Java null, numbers are Integer, Long or
 * BigInteger (the smallest that holds an integer) or Double, as jackson-databind's own tree reads
 * them, so the rules give the same answers and messages on both.
 */
public final class TreeReader extends PayloadReader {
  private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger MIN_INT = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger MAX_INT = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final JsonFactory PLAIN = new JsonFactory();

  /** The value of a frame with no JSON value at all. */
  public static final Object NOTHING = ABSENT;

  private final Map<String, Object> node;

  public TreeReader(Map<String, Object> node, String path) {
    super(path);
    this.node = node;
  }

  /**
   * Reads the value that starts at {@code t} (the parser's current token) and everything inside it.
   */
  public static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          // nextFieldName(), as databind's tree reader walks objects: the parser then words errors
          // the same way
          for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            m.put(name, read(p, p.nextToken()));
          }
          return m;
        }
      case START_ARRAY:
        {
          List<Object> l = new ArrayList<>();
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            l.add(read(p, e));
          }
          return l;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return p.getIntValue();
          case LONG:
            return p.getLongValue();
          default:
            return p.getBigIntegerValue();
        }
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalStateException("unexpected token " + t);
    }
  }

  /** The field {@code name} of object {@code obj}, {@link #NOTHING} when absent. */
  public static Object field(Map<String, Object> obj, String name) {
    Object v = obj.get(name);
    return v == null && !obj.containsKey(name) ? ABSENT : v;
  }

  static Kind kindOf(Object v) {
    if (v == ABSENT) {
      return Kind.MISSING;
    }
    if (v == null) {
      return Kind.NULL;
    }
    if (v instanceof String) {
      return Kind.STRING;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return Kind.INTEGRAL;
    }
    if (v instanceof Number) {
      return Kind.FLOAT;
    }
    if (v instanceof Boolean) {
      return Kind.BOOLEAN;
    }
    if (v instanceof Map) {
      return Kind.OBJECT;
    }
    return Kind.ARRAY;
  }

  public static boolean isText(Object v) {
    return v instanceof String;
  }

  public static boolean isNumber(Object v) {
    return v instanceof Number;
  }

  public static boolean isObject(Object v) {
    return v instanceof Map;
  }

  public static boolean canConvertToLong(Object v) {
    if (v instanceof BigInteger b) {
      return b.compareTo(MIN_LONG) >= 0 && b.compareTo(MAX_LONG) <= 0;
    }
    if (v instanceof Double d) {
      return d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }
    return v instanceof Integer || v instanceof Long;
  }

  public static long longValue(Object v) {
    return ((Number) v).longValue();
  }

  public static double doubleValue(Object v) {
    return ((Number) v).doubleValue();
  }

  /** What error messages show for {@code v}: as {@code JsonNode.toString()} renders scalars. */
  public static String describe(Object v) {
    switch (kindOf(v)) {
      case MISSING:
        return "nothing";
      case NULL:
        return "null";
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      default:
        return shown(json(v));
    }
  }

  private static String json(Object v) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = PLAIN.createGenerator(w)) {
      if (v instanceof String s) {
        g.writeString(s);
      } else if (v instanceof Integer i) {
        g.writeNumber(i);
      } else if (v instanceof Long l) {
        g.writeNumber(l);
      } else if (v instanceof BigInteger b) {
        g.writeNumber(b);
      } else if (v instanceof Double d) {
        g.writeNumber(d);
      } else {
        g.writeBoolean((Boolean) v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  @Override
  protected Object raw(String name) {
    return field(node, name);
  }

  @Override
  protected Kind kind(Object v) {
    return kindOf(v);
  }

  @Override
  protected String text(Object v) {
    return (String) v;
  }

  @Override
  protected boolean fitsLong(Object v) {
    return canConvertToLong(v);
  }

  @Override
  protected boolean fitsInt(Object v) {
    if (v instanceof Integer) {
      return true;
    }
    if (v instanceof Long l) {
      return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE;
    }
    if (v instanceof BigInteger b) {
      return b.compareTo(MIN_INT) >= 0 && b.compareTo(MAX_INT) <= 0;
    }
    double d = ((Number) v).doubleValue();
    return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
  }

  @Override
  protected long longOf(Object v) {
    return ((Number) v).longValue();
  }

  @Override
  protected int intOf(Object v) {
    return ((Number) v).intValue();
  }

  @Override
  protected double doubleOf(Object v) {
    return ((Number) v).doubleValue();
  }

  @Override
  protected boolean booleanOf(Object v) {
    return (Boolean) v;
  }

  @Override
  protected int size(Object array) {
    return ((List<?>) array).size();
  }

  @Override
  protected Object element(Object array, int i) {
    return ((List<?>) array).get(i);
  }

  @Override
  @SuppressWarnings("unchecked")
  protected PayloadReader child(Object v, String childPath) {
    return new TreeReader((Map<String, Object>) v, childPath);
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Map<String, Object> toMap(Object v) {
    return (Map<String, Object>) v;
  }

  @Override
  protected String scalarText(Object v) {
    return json(v);
  }
}

package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Selection;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * Writes messages with jackson-core's generator alone, in the shape the full codec's databind
 * mapper gives them: record components in declaration order under their {@code @JsonProperty}
 * names, null fields left out, {@link EnumValue} as its raw text, {@link Capabilities} and {@link
 * Selection} in the shape they came in.
 */
public final class RecordWriter {
  private record Property(String name, Method accessor) {}

  private static final ClassValue<Property[]> PROPERTIES =
      new ClassValue<>() {
        @Override
        protected Property[] computeValue(Class<?> type) {
          RecordComponent[] components = type.getRecordComponents();
          Property[] out = new Property[components.length];
          for (int i = 0; i < components.length; i++) {
            Method accessor = components[i].getAccessor();
            JsonProperty renamed = accessor.getAnnotation(JsonProperty.class);
            String name =
                renamed != null && !renamed.value().isEmpty()
                    ? renamed.value()
                    : components[i].getName();
            out[i] = new Property(name, accessor);
          }
          return out;
        }
      };

  private RecordWriter() {}

  public static void write(JsonGenerator g, Message m) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", m.type().name());
    g.writeStringField("id", m.id());
    g.writeNumberField("timestamp", m.timestamp());
    g.writeFieldName("payload");
    value(g, m.payload());
    g.writeEndObject();
  }

  private static void value(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof EnumValue<?> e) {
      g.writeString(e.raw());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).intValue());
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Float f) {
      g.writeNumber(f);
    } else if (v instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof BigDecimal b) {
      g.writeNumber(b);
    } else if (v instanceof Capabilities c) {
      capabilities(g, c);
    } else if (v instanceof Selection s) {
      selection(g, s);
    } else if (v instanceof Enum<?> e) {
      g.writeString(e.name());
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() != null) {
          g.writeFieldName(String.valueOf(e.getKey()));
          value(g, e.getValue());
        }
      }
      g.writeEndObject();
    } else if (v instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        value(g, o);
      }
      g.writeEndArray();
    } else if (v instanceof Record) {
      record(g, v);
    } else {
      throw new IllegalStateException("cannot encode a " + v.getClass().getName());
    }
  }

  private static void record(JsonGenerator g, Object r) throws IOException {
    g.writeStartObject();
    for (Property p : PROPERTIES.get(r.getClass())) {
      Object v;
      try {
        v = p.accessor().invoke(r);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(
            "cannot read " + r.getClass().getSimpleName() + "." + p.name(), e);
      }
      if (v != null) {
        g.writeFieldName(p.name());
        value(g, v);
      }
    }
    g.writeEndObject();
  }

  /** As {@link CapabilitiesSerializer}. */
  private static void capabilities(JsonGenerator g, Capabilities c) throws IOException {
    if (c.names() != null
        && c.maxTokens() == null
        && c.supportsInterrupt() == null
        && c.supportsTrace() == null) {
      g.writeStartArray();
      for (String n : c.names()) {
        g.writeString(n);
      }
      g.writeEndArray();
      return;
    }
    g.writeStartObject();
    if (c.maxTokens() != null) {
      g.writeNumberField("maxTokens", c.maxTokens());
    }
    if (c.supportsInterrupt() != null) {
      g.writeBooleanField("supportsInterrupt", c.supportsInterrupt());
    }
    if (c.supportsTrace() != null) {
      g.writeBooleanField("supportsTrace", c.supportsTrace());
    }
    g.writeEndObject();
  }

  /** As {@link SelectionSerializer}. */
  private static void selection(JsonGenerator g, Selection s) throws IOException {
    if (!s.objectForm()) {
      ids(g, s);
      return;
    }
    g.writeStartObject();
    if (s.all() != null) {
      g.writeBooleanField("all", s.all());
    }
    if (s.ids() != null) {
      g.writeFieldName("ids");
      ids(g, s);
    }
    g.writeEndObject();
  }

  private static void ids(JsonGenerator g, Selection s) throws IOException {
    g.writeStartArray();
    for (String id : s.ids()) {
      g.writeString(id);
    }
    g.writeEndArray();
  }
}

package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.Selection;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes a subscription selection back in the shape it came in: an array of ids, or an object. */
public final class SelectionSerializer extends StdSerializer<Selection> {
  private static final long serialVersionUID = 1L;

  public SelectionSerializer() {
    super(Selection.class);
  }

  @Override
  public void serialize(Selection s, JsonGenerator g, SerializerProvider p) throws IOException {
    if (!s.objectForm()) {
      writeIds(s, g);
      return;
    }
    g.writeStartObject();
    if (s.all() != null) {
      g.writeBooleanField("all", s.all());
    }
    if (s.ids() != null) {
      g.writeFieldName("ids");
      writeIds(s, g);
    }
    g.writeEndObject();
  }

  private static void writeIds(Selection s, JsonGenerator g) throws IOException {
    g.writeStartArray();
    for (String id : s.ids()) {
      g.writeString(id);
    }
    g.writeEndArray();
  }
}

package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.Capabilities;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes capabilities back in the shape they came in: a list of names, or an object. */
public final class CapabilitiesSerializer extends StdSerializer<Capabilities> {
  private static final long serialVersionUID = 1L;

  public CapabilitiesSerializer() {
    super(Capabilities.class);
  }

  @Override
  public void serialize(Capabilities c, JsonGenerator g, SerializerProvider p) throws IOException {
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
}

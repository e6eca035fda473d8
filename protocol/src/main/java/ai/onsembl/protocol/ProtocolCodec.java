package ai.onsembl.protocol;

import ai.onsembl.protocol.internal.NodeReader;
import ai.onsembl.protocol.internal.PayloadDecoders;
import ai.onsembl.protocol.internal.PayloadReader;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * The one codec for the wire format: {@link #decode(String)} validates and types a frame, {@link
 * #encode(Message)} writes one. Thread-safe; share {@link #standard()}.
 *
 * <p>Decoding checks, in order: size (before any parsing), JSON syntax and nesting depth, the
 * envelope ({@code type}, {@code id}, {@code timestamp} as a number, {@code payload} object), that
 * the type is known, then the payload's fields. Each failure is a {@link ProtocolException} of its
 * own kind.
 */
public final class ProtocolCodec {

  private static final ProtocolCodec STANDARD = new ProtocolCodec(Limits.MAX_FRAME_BYTES);

  private final int maxFrameBytes;
  private final ObjectMapper mapper;

  public ProtocolCodec(int maxFrameBytes) {
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be at least 64 but was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                    .maxStringLength(maxFrameBytes)
                    .maxNumberLength(64)
                    .build())
            .build();
    SimpleModule module = new SimpleModule("onsembl-protocol");
    module.addSerializer(new EnumValueSerializer());
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .addModule(module)
            .build();
  }

  /** The codec with the protocol's 1 MiB frame limit. */
  public static ProtocolCodec standard() {
    return STANDARD;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Writes {@code message} as one JSON text frame; null payload fields are left out. */
  public String encode(Message message) {
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot encode " + message.type() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** Reads one frame. Throws nothing but {@link ProtocolException} for any input. */
  public Message decode(String frame) throws ProtocolException {
    if (frame == null) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON, "expected a JSON object but got nothing");
    }
    checkSize(frame);
    JsonNode root;
    try {
      root = mapper.readTree(frame);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but the frame is not valid JSON: "
              + oneLine(e.getOriginalMessage()),
          null,
          null,
          null);
    } catch (RuntimeException e) {
      // Jackson guards depth and sizes with exceptions; anything else it throws is still bad input.
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but the frame could not be parsed: "
              + oneLine(String.valueOf(e.getMessage())),
          null,
          null,
          e);
    }
    if (root == null || !root.isObject()) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but got " + NodeReader.describe(root));
    }
    ObjectNode obj = (ObjectNode) root;
    JsonNode idNode = obj.get("id");
    String id =
        idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty()
            ? idNode.textValue()
            : null;
    JsonNode typeNode = obj.get("type");
    String rawType = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : null;
    if (rawType == null || rawType.isEmpty()) {
      throw envelope(
          "type: expected a non-empty string but got " + NodeReader.describe(typeNode), id, null);
    }
    if (id == null) {
      throw envelope(
          "id: expected a non-empty string but got " + NodeReader.describe(idNode), null, rawType);
    }
    JsonNode ts = obj.get("timestamp");
    if (ts == null || ts.isNull()) {
      throw envelope(
          "timestamp: expected epoch milliseconds as a JSON number but got nothing", id, rawType);
    }
    if (!ts.isNumber() || !ts.canConvertToLong() || ts.doubleValue() < 0) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID_TIMESTAMP,
          "timestamp: expected epoch milliseconds as a JSON number but got "
              + NodeReader.describe(ts),
          id,
          rawType,
          null);
    }
    JsonNode payloadNode = obj.get("payload");
    if (payloadNode == null || !payloadNode.isObject()) {
      throw envelope(
          "payload: expected an object but got " + NodeReader.describe(payloadNode), id, rawType);
    }
    MessageType type =
        MessageType.find(rawType)
            .orElseThrow(
                () ->
                    new ProtocolException(
                        ProtocolException.Kind.UNKNOWN_TYPE,
                        "unknown message type \"" + shorten(rawType) + "\"",
                        id,
                        rawType,
                        null));
    try {
      Payload payload =
          PayloadDecoders.decode(type, new NodeReader((ObjectNode) payloadNode, "payload", mapper));
      return new Message(type, id, ts.longValue(), payload);
    } catch (PayloadReader.FieldException e) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID_PAYLOAD,
          rawType + " " + e.getMessage(),
          id,
          rawType,
          null);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID_PAYLOAD,
          rawType + " payload: " + oneLine(String.valueOf(e.getMessage())),
          id,
          rawType,
          e);
    }
  }

  private void checkSize(String frame) throws ProtocolException {
    FrameText.checkSize(frame, maxFrameBytes);
  }

  /** UTF-8 length of {@code s}, counted without encoding it. */
  public static long utf8Length(CharSequence s) {
    return FrameText.utf8Length(s);
  }

  private static ProtocolException envelope(String msg, String id, String rawType) {
    return new ProtocolException(ProtocolException.Kind.INVALID_ENVELOPE, msg, id, rawType, null);
  }

  private static String shorten(String s) {
    return FrameText.shorten(s);
  }

  private static String oneLine(String s) {
    return FrameText.oneLine(s);
  }

  /** Size of {@code text} as it goes on the wire. */
  public static int utf8Bytes(String text) {
    // counted, not encoded: the outbound queue sizes every frame with this
    return (int) FrameText.utf8Length(text);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class EnumValueSerializer extends StdSerializer<EnumValue> {
    private static final long serialVersionUID = 1L;

    EnumValueSerializer() {
      super(EnumValue.class);
    }

    @Override
    public void serialize(EnumValue value, JsonGenerator g, SerializerProvider p)
        throws IOException {
      g.writeString(value.raw());
    }
  }
}

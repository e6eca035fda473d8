package ai.onsembl.protocol;

import ai.onsembl.protocol.internal.PayloadDecoders;
import ai.onsembl.protocol.internal.PayloadReader;
import ai.onsembl.protocol.internal.RecordWriter;
import ai.onsembl.protocol.internal.TreeReader;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import java.io.IOException;
import java.util.Map;

/**
 * The wire format on jackson-core alone: the same frames, records and errors as {@link
 * ProtocolCodec}, without loading jackson-databind (~400 classes, a few MiB of metaspace and
 * startup time the wrapper does not need). The wrapper's link uses it; the backend keeps the full
 * codec. Equality with it is what the golden fixtures and the fuzz test check: same record or same
 * error (kind, message, id, type) for every input. Thread-safe; share {@link #standard()}.
 */
public final class StreamingCodec {
  private static final StreamingCodec STANDARD = new StreamingCodec(Limits.MAX_FRAME_BYTES);

  /**
   * databind's words for a second value after the first (FAIL_ON_TRAILING_TOKENS), kept for equal
   * errors.
   */
  private static final String TRAILING =
      "Trailing token (of type %s) found after value (bound as "
          + "`com.fasterxml.jackson.databind.JsonNode`): not allowed as per "
          + "`DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";

  private final int maxFrameBytes;
  private final JsonFactory factory;

  public StreamingCodec(int maxFrameBytes) {
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be at least 64 but was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                    .maxStringLength(maxFrameBytes)
                    .maxNumberLength(64)
                    .build())
            .build();
  }

  /** The codec with the protocol's 1 MiB frame limit. */
  public static StreamingCodec standard() {
    return STANDARD;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Writes {@code message} as one JSON text frame; null payload fields are left out. */
  public String encode(Message message) {
    SegmentedStringWriter out = new SegmentedStringWriter(factory._getBufferRecycler());
    try {
      try (JsonGenerator g = factory.createGenerator(out)) {
        RecordWriter.write(g, message);
      }
      return out.getAndClear();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + message.type() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #encode} as UTF-8 bytes. A TERMINAL_OUTPUT chunk of ASCII text without {@code ansiCodes}
   * is escaped a word at a time into the frame instead of char by char.
   */
  public byte[] encodeUtf8(Message message) {
    byte[] fast = OutputFrames.encode(this, message);
    return fast != null ? fast : Ascii.utf8(encode(message));
  }

  /** Reads one frame. Throws nothing but {@link ProtocolException} for any input. */
  public Message decode(String frame) throws ProtocolException {
    if (frame == null) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON, "expected a JSON object but got nothing");
    }
    FrameText.checkSize(frame, maxFrameBytes);
    Object root;
    try (JsonParser p = factory.createParser(frame)) {
      JsonToken first = p.nextToken();
      root = first == null ? TreeReader.NOTHING : TreeReader.read(p, first);
      JsonToken trailing = first == null ? null : p.nextToken();
      if (trailing != null) {
        throw new ProtocolException(
            ProtocolException.Kind.NOT_JSON,
            "expected a JSON object but the frame is not valid JSON: "
                + FrameText.oneLine(String.format(TRAILING, trailing)),
            null,
            null,
            null);
      }
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but the frame is not valid JSON: "
              + FrameText.oneLine(e.getOriginalMessage()),
          null,
          null,
          null);
    } catch (IOException | RuntimeException e) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but the frame could not be parsed: "
              + FrameText.oneLine(String.valueOf(e.getMessage())),
          null,
          null,
          e);
    }
    if (!TreeReader.isObject(root)) {
      throw new ProtocolException(
          ProtocolException.Kind.NOT_JSON,
          "expected a JSON object but got " + TreeReader.describe(root));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) root;
    Object idNode = TreeReader.field(obj, "id");
    String id = idNode instanceof String s && !s.isEmpty() ? s : null;
    Object typeNode = TreeReader.field(obj, "type");
    String rawType = typeNode instanceof String s ? s : null;
    if (rawType == null || rawType.isEmpty()) {
      throw envelope(
          "type: expected a non-empty string but got " + TreeReader.describe(typeNode), id, null);
    }
    if (id == null) {
      throw envelope(
          "id: expected a non-empty string but got " + TreeReader.describe(idNode), null, rawType);
    }
    Object ts = TreeReader.field(obj, "timestamp");
    if (ts == TreeReader.NOTHING || ts == null) {
      throw envelope(
          "timestamp: expected epoch milliseconds as a JSON number but got nothing", id, rawType);
    }
    if (!TreeReader.isNumber(ts)
        || !TreeReader.canConvertToLong(ts)
        || TreeReader.doubleValue(ts) < 0) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID_TIMESTAMP,
          "timestamp: expected epoch milliseconds as a JSON number but got "
              + TreeReader.describe(ts),
          id,
          rawType,
          null);
    }
    Object payloadNode = TreeReader.field(obj, "payload");
    if (!TreeReader.isObject(payloadNode)) {
      throw envelope(
          "payload: expected an object but got " + TreeReader.describe(payloadNode), id, rawType);
    }
    MessageType type =
        MessageType.find(rawType)
            .orElseThrow(
                () ->
                    new ProtocolException(
                        ProtocolException.Kind.UNKNOWN_TYPE,
                        "unknown message type \"" + FrameText.shorten(rawType) + "\"",
                        id,
                        rawType,
                        null));
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> payload = (Map<String, Object>) payloadNode;
      return new Message(
          type,
          id,
          TreeReader.longValue(ts),
          PayloadDecoders.decode(type, new TreeReader(payload, "payload")));
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
          rawType + " payload: " + FrameText.oneLine(String.valueOf(e.getMessage())),
          id,
          rawType,
          e);
    }
  }

  private static ProtocolException envelope(String msg, String id, String rawType) {
    return new ProtocolException(ProtocolException.Kind.INVALID_ENVELOPE, msg, id, rawType, null);
  }

  /** Size of {@code text} as it goes on the wire, counted without encoding it. */
  public static int utf8Bytes(String text) {
    return (int) FrameText.utf8Length(text);
  }
}

package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CodecErrorsTest {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();

  private static ProtocolException refuse(String frame) {
    try {
      CODEC.decode(frame);
    } catch (ProtocolException e) {
      return e;
    }
    throw new AssertionError("expected a ProtocolException for " + frame);
  }

  @Test
  void badSequenceNamesFieldExpectationAndValue() {
    ProtocolException e =
        refuse(
            "{\"type\":\"TERMINAL_OUTPUT\",\"id\":\"x\",\"timestamp\":1,\"payload\":"
                + "{\"commandId\":\"c\",\"streamType\":\"STDOUT\",\"content\":\"hi\",\"sequence\":\"abc\"}}");
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.INVALID_PAYLOAD);
    assertThat(e.getMessage())
        .contains("payload.sequence: expected a positive integer but got \"abc\"");
    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_MESSAGE);
    assertThat(e.messageId()).isEqualTo("x");
  }

  @Test
  void zeroSequenceIsRefused() {
    assertThat(
            refuse(
                    "{\"type\":\"TERMINAL_OUTPUT\",\"id\":\"x\",\"timestamp\":1,\"payload\":"
                        + "{\"commandId\":\"c\",\"streamType\":\"STDOUT\",\"content\":\"hi\",\"sequence\":0}}")
                .getMessage())
        .contains("payload.sequence: expected a positive integer but got 0");
  }

  @Test
  void nonJsonIsItsOwnKind() {
    ProtocolException e = refuse("hello {");
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.NOT_JSON);
    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_MESSAGE);
    assertThat(refuse("[1,2]").getMessage()).isEqualTo("expected a JSON object but got an array");
    assertThat(refuse("").kind()).isEqualTo(ProtocolException.Kind.NOT_JSON);
  }

  @Test
  void missingEnvelopeFieldIsItsOwnKind() {
    ProtocolException e = refuse("{\"type\":\"PING\",\"timestamp\":1,\"payload\":{}}");
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.INVALID_ENVELOPE);
    assertThat(e.getMessage()).isEqualTo("id: expected a non-empty string but got nothing");
    assertThat(refuse("{\"type\":\"PING\",\"id\":\"p\",\"timestamp\":1}").getMessage())
        .isEqualTo("payload: expected an object but got nothing");
    assertThat(refuse("{\"id\":\"p\",\"timestamp\":1,\"payload\":{}}").getMessage())
        .isEqualTo("type: expected a non-empty string but got nothing");
  }

  @Test
  void isoTimestampIsItsOwnKind() {
    ProtocolException e =
        refuse(
            "{\"type\":\"PING\",\"id\":\"p\",\"timestamp\":\"2025-10-31T12:00:00Z\",\"payload\":{}}");
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.INVALID_TIMESTAMP);
    assertThat(e.getMessage())
        .isEqualTo(
            "timestamp: expected epoch milliseconds as a JSON number but got \"2025-10-31T12:00:00Z\"");
    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_MESSAGE);
  }

  @Test
  void unknownTypeIsItsOwnKindWithItsOwnCode() {
    ProtocolException e =
        refuse("{\"type\":\"SELF_DESTRUCT\",\"id\":\"p\",\"timestamp\":1,\"payload\":{}}");
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.UNKNOWN_TYPE);
    assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
    assertThat(e.rawType()).isEqualTo("SELF_DESTRUCT");
    assertThat(e.toErrorPayload().message()).isEqualTo("unknown message type \"SELF_DESTRUCT\"");
    assertThat(e.toErrorPayload().messageId()).isEqualTo("p");
  }

  @Test
  void oversizedFrameIsRefusedBeforeParsing() {
    // Unbalanced brackets would be a parse error, or a nesting error, if the codec parsed it.
    String huge = "[".repeat(Limits.MAX_FRAME_BYTES + 1);
    ProtocolException e = refuse(huge);
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE);
    assertThat(e.errorCode()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(e.getMessage()).startsWith("frame too large: expected at most 1048576 bytes");
  }

  @Test
  void multiByteCharactersCountAsBytes() {
    // 400,000 three-byte chars: fewer chars than the limit but 1.2 MB on the wire
    String content = "€".repeat(400_000);
    String frame =
        "{\"type\":\"PING\",\"id\":\"p\",\"timestamp\":1,\"payload\":{\"x\":\"" + content + "\"}}";
    assertThat(refuse(frame).kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE);
  }

  @Test
  void deepNestingIsRefusedAsInvalidJson() {
    String deep =
        "{\"type\":\"PING\",\"id\":\"p\",\"timestamp\":1,\"payload\":{\"x\":"
            + "[".repeat(10_000)
            + "]".repeat(10_000)
            + "}}";
    ProtocolException e = refuse(deep);
    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.NOT_JSON);
    assertThat(e.getMessage()).contains("nesting");
  }

  @Test
  void unknownEnumValueIsKeptAndEncodedBackAsItCame() throws Exception {
    String frame =
        "{\"type\":\"AGENT_STATUS\",\"id\":\"s\",\"timestamp\":5,\"payload\":"
            + "{\"agentId\":\"a\",\"status\":\"hibernating\",\"activityState\":\"DREAMING\"}}";
    Message m = CODEC.decode(frame);
    AgentStatusUpdate p = m.payload(AgentStatusUpdate.class);
    assertThat(p.status().value()).isEqualTo(AgentStatus.UNKNOWN);
    assertThat(p.status().isUnknown()).isTrue();
    assertThat(p.activityState().raw()).isEqualTo("DREAMING");
    assertThat(CODEC.encode(m)).isEqualTo(frame);
  }

  @Test
  void wrongJsonTypeNamesTheNestedField() {
    assertThat(
            refuse(
                    "{\"type\":\"AGENT_HEARTBEAT\",\"id\":\"h\",\"timestamp\":1,\"payload\":"
                        + "{\"agentId\":\"a\",\"healthMetrics\":{\"cpuUsage\":\"high\"}}}")
                .getMessage())
        .isEqualTo(
            "AGENT_HEARTBEAT payload.healthMetrics.cpuUsage: expected a number but got \"high\"");
    assertThat(
            refuse(
                    "{\"type\":\"COMMAND_REQUEST\",\"id\":\"r\",\"timestamp\":1,\"payload\":{\"commandId\":\"c\"}}")
                .getMessage())
        .contains(
            "payload.content: expected the command text in content or command but got nothing");
    assertThat(
            refuse(
                    "{\"type\":\"AGENT_CONTROL\",\"id\":\"r\",\"timestamp\":1,\"payload\":{\"action\":7}}")
                .getMessage())
        .isEqualTo(
            "AGENT_CONTROL payload.action: expected one of STOP|RESTART|PAUSE|RESUME (a string) but got 7");
  }

  @Test
  void encodeLeavesNullsOutAndWritesTimestampAsNumber() {
    Message m = new Message(MessageType.PING, "p-1", 1234L, new Ping(99L));
    assertThat(CODEC.encode(m))
        .isEqualTo(
            "{\"type\":\"PING\",\"id\":\"p-1\",\"timestamp\":1234,\"payload\":{\"timestamp\":99}}");
    assertThat(CODEC.encode(Message.of(new AgentDisconnect("a", "bye", 1L, null, true))))
        .contains(
            "\"payload\":{\"agentId\":\"a\",\"reason\":\"bye\",\"timestamp\":1,\"graceful\":true}");
  }

  @Test
  void envelopeRejectsMismatchedPayload() {
    assertThatThrownBy(() -> new Message(MessageType.PONG, "x", 1, new Ping(1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> Message.of(new Ping(1L)).payload(Pong.class))
        .hasMessageContaining("Expected Pong but message");
  }
}

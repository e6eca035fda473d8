package ai.onsembl.bench;

import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.StreamingCodec;
import ai.onsembl.protocol.TerminalOutput;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of encode and decode for the two hottest frames, TERMINAL_OUTPUT and AGENT_HEARTBEAT,
 * with the full codec (jackson-databind: the backend's) and the streaming codec (jackson-core only:
 * the wrapper's link).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CodecBenchmark {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();
  private static final StreamingCodec STREAMING = StreamingCodec.standard();

  /**
   * A TERMINAL_OUTPUT frame; its own state so that only the output benchmarks take the size
   * parameter.
   */
  @State(Scope.Benchmark)
  public static class Output {
    /**
     * Bytes of terminal output per TERMINAL_OUTPUT frame: a line, and a coalesced 64 KiB chunk (the
     * wrapper's).
     */
    @Param({"80", "65536"})
    public int outputBytes;

    Message message;
    String json;

    @Setup
    public void setUp() {
      StringBuilder sb = new StringBuilder(outputBytes);
      while (sb.length() < outputBytes) {
        sb.append("line of agent output with some \"quotes\" and unicode é\n");
      }
      message =
          new Message(
              MessageType.TERMINAL_OUTPUT,
              "out-1",
              1795834404797L,
              new TerminalOutput(
                  "cmd-1",
                  "agent-1",
                  EnumValue.of(StreamType.STDOUT),
                  sb.substring(0, outputBytes),
                  42,
                  null));
      json = CODEC.encode(message);
    }
  }

  private Message heartbeat;
  private String heartbeatJson;

  @Setup
  public void setUp() {
    heartbeat =
        new Message(
            MessageType.AGENT_HEARTBEAT,
            "hb-1",
            1795834404797L,
            new AgentHeartbeat("agent-1", new HealthMetrics(12.5, 84.2, 3_600_000L, 7L, 1520.5)));
    heartbeatJson = CODEC.encode(heartbeat);
  }

  @Benchmark
  public String encodeTerminalOutput(Output o) {
    return CODEC.encode(o.message);
  }

  @Benchmark
  public Message decodeTerminalOutput(Output o) throws ProtocolException {
    return CODEC.decode(o.json);
  }

  @Benchmark
  public String encodeHeartbeat() {
    return CODEC.encode(heartbeat);
  }

  @Benchmark
  public Message decodeHeartbeat() throws ProtocolException {
    return CODEC.decode(heartbeatJson);
  }

  @Benchmark
  public String encodeTerminalOutputStreaming(Output o) {
    return STREAMING.encode(o.message);
  }

  @Benchmark
  public Message decodeTerminalOutputStreaming(Output o) throws ProtocolException {
    return STREAMING.decode(o.json);
  }

  @Benchmark
  public String encodeHeartbeatStreaming() {
    return STREAMING.encode(heartbeat);
  }

  @Benchmark
  public Message decodeHeartbeatStreaming() throws ProtocolException {
    return STREAMING.decode(heartbeatJson);
  }
}

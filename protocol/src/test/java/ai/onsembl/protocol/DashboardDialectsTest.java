package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DASHBOARD_INIT and DASHBOARD_SUBSCRIBE in both dialects: arrays of ids (ours and the TypeScript
 * types) and the Onsembl web frontend's objects; each decodes to what it means and re-encodes in
 * the shape it came in.
 */
class DashboardDialectsTest {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String frame(String type, String payload) {
    return "{\"type\":\""
        + type
        + "\",\"id\":\"f-1\",\"timestamp\":1796286315273,\"payload\":"
        + payload
        + "}";
  }

  private static Subscriptions init(String subscriptions) throws Exception {
    String text =
        frame("DASHBOARD_INIT", "{\"userId\":\"u-1\",\"subscriptions\":" + subscriptions + "}");
    Message m = CODEC.decode(text);
    assertThat(JSON.readTree(CODEC.encode(m))).isEqualTo(JSON.readTree(text));
    return m.payload(DashboardInit.class).subscriptions();
  }

  @Test
  void arraysOfIdsAndStarSelectThoseIdsOrAll() throws Exception {
    Subscriptions all =
        init("{\"agents\":[\"*\"],\"commands\":[],\"terminals\":true,\"traces\":false}");
    assertThat(all.agents()).isEqualTo(Selection.everything());
    assertThat(all.coversAgent("a-9")).isTrue();
    assertThat(all.commands().coversAll()).isFalse();
    assertThat(all.terminals()).isTrue();
    assertThat(all.traces()).isFalse();

    Subscriptions some = init("{\"agents\":[\"a-1\",\"a-2\"],\"commands\":[\"c-1\"]}");
    assertThat(some.agents().ids()).containsExactly("a-1", "a-2");
    assertThat(some.coversAgent("a-2")).isTrue();
    assertThat(some.coversAgent("a-3")).isFalse();
    assertThat(some.commands().covers("c-1")).isTrue();
    assertThat(some.terminals()).isNull();
  }

  @Test
  void frontendObjectsSelectAllOrTheirIds() throws Exception {
    Subscriptions all =
        init(
            "{\"agents\":{\"all\":true},\"commands\":{\"all\":true},\"terminals\":true,"
                + "\"traces\":true}");
    assertThat(all.agents()).isEqualTo(Selection.allObject());
    assertThat(all.coversAgent("a-9")).isTrue();
    assertThat(all.commands().covers("c-9")).isTrue();
    assertThat(all.traces()).isTrue();

    Subscriptions some =
        init("{\"agents\":{\"ids\":[\"a-1\"]},\"commands\":{\"all\":false,\"ids\":[\"c-1\"]}}");
    assertThat(some.coversAgent("a-1")).isTrue();
    assertThat(some.coversAgent("a-2")).isFalse();
    assertThat(some.commands().covers("c-1")).isTrue();
    assertThat(some.commands().covers("c-2")).isFalse();

    // as the TypeScript backend reads any non-array: an object naming nothing means all, unless
    // all:false
    assertThat(init("{\"agents\":{}}").coversAgent("a-1")).isTrue();
    assertThat(init("{\"agents\":{\"all\":false}}").coversAgent("a-1")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"*\"", "12", "true"})
  void anythingElseIsRefusedNamingBothForms(String agents) {
    assertThatThrownBy(
            () ->
                CODEC.decode(
                    frame("DASHBOARD_INIT", "{\"subscriptions\":{\"agents\":" + agents + "}}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("payload.subscriptions.agents: expected an array of ids or an object")
        .hasMessageContaining("but got " + agents);
  }

  @Test
  void objectWithAnIdThatIsNotAStringIsRefusedNamingTheElement() {
    assertThatThrownBy(
            () ->
                CODEC.decode(
                    frame(
                        "DASHBOARD_INIT",
                        "{\"subscriptions\":{\"commands\":{\"ids\":[\"c-1\",7]}}}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("payload.subscriptions.commands.ids[1]: expected a string but got 7");
  }

  @Test
  void terminalsAndTracesAreBooleans() {
    assertThatThrownBy(
            () -> CODEC.decode(frame("DASHBOARD_INIT", "{\"subscriptions\":{\"traces\":\"yes\"}}")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(
            "payload.subscriptions.traces: expected true or false but got \"yes\"");
  }

  private static DashboardSubscribe subscribe(String payload) throws Exception {
    String text = frame("DASHBOARD_SUBSCRIBE", payload);
    Message m = CODEC.decode(text);
    assertThat(JSON.readTree(CODEC.encode(m))).isEqualTo(JSON.readTree(text));
    return m.payload(DashboardSubscribe.class);
  }

  @Test
  void subscribeTakesTheFrontendsIdOrAllAndOurAgentOrCommandId() throws Exception {
    DashboardSubscribe all = subscribe("{\"type\":\"agent\",\"all\":true}");
    assertThat(all.coversAll()).isTrue();
    assertThat(all.target()).isNull();

    DashboardSubscribe frontendOne = subscribe("{\"type\":\"command\",\"id\":\"c-1\"}");
    assertThat(frontendOne.target()).isEqualTo("c-1");
    assertThat(frontendOne.coversAll()).isFalse();

    DashboardSubscribe oursAgent =
        subscribe("{\"type\":\"agent\",\"agentId\":\"a-1\",\"all\":false}");
    assertThat(oursAgent.target()).isEqualTo("a-1");
    assertThat(oursAgent.coversAll()).isFalse();

    DashboardSubscribe oursTerminal =
        subscribe("{\"type\":\"terminal\",\"agentId\":\"a-1\",\"commandId\":\"c-1\"}");
    assertThat(oursTerminal.target()).isEqualTo("c-1");

    DashboardSubscribe bare = subscribe("{\"type\":\"trace\"}");
    assertThat(bare.coversAll()).isTrue();

    String text = frame("DASHBOARD_UNSUBSCRIBE", "{\"type\":\"agent\",\"id\":\"a-1\"}");
    assertThat(CODEC.decode(text).payload(DashboardUnsubscribe.class).target()).isEqualTo("a-1");
  }

  @Test
  void selectionsBuiltInCodeEncodeAsTheirForm() {
    assertThat(
            CODEC.encode(
                new Message(
                    MessageType.DASHBOARD_INIT,
                    "i",
                    1L,
                    new DashboardInit(
                        null,
                        new Subscriptions(
                            Selection.ofIds(List.of("a-1")), Selection.allObject(), null, null)))))
        .contains("\"agents\":[\"a-1\"]", "\"commands\":{\"all\":true}");
    assertThatThrownBy(() -> new Selection(null, null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("array form needs a list of ids");
  }
}

package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentSummary;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.DashboardConnected;
import ai.onsembl.protocol.DashboardInit;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** Frames on {@code /ws/dashboard}, and the snapshot each dashboard gets when it connects. */
final class DashboardEndpoint {
  private final Executor worker;
  private final AgentStore agents;
  private final Registry registry;
  private final DashboardHub hub;
  private final DashboardLiveness liveness;
  private final CommandService commandService;

  DashboardEndpoint(
      Executor worker,
      AgentStore agents,
      Registry registry,
      DashboardHub hub,
      DashboardLiveness liveness,
      CommandService commandService) {
    this.worker = worker;
    this.agents = agents;
    this.registry = registry;
    this.hub = hub;
    this.liveness = liveness;
    this.commandService = commandService;
  }

  /**
   * On the worker: snapshot first, then every change after it (the same thread makes the
   * broadcasts).
   */
  void opened(Peer p) {
    if (p.closed) {
      return;
    }
    p.send(snapshot());
    hub.add(p);
    liveness.watch(p);
  }

  /**
   * DASHBOARD_CONNECTED with every agent as the store and the registry see it now (on the worker).
   */
  Message snapshot() {
    List<AgentSummary> list = new ArrayList<>();
    for (AgentState a : agents.all()) {
      list.add(Messages.summary(a, registry.current(a.agentId())));
    }
    return Message.of(new DashboardConnected(list, System.currentTimeMillis()));
  }

  void closed(Peer p) {
    liveness.unwatch(p);
    hub.remove(p);
  }

  void onFrame(Peer p, String text) {
    p.touch();
    if (!FrameGuard.withinRate(p)) {
      return;
    }
    Message m = FrameGuard.decode(p, text);
    if (m == null) {
      return;
    }
    switch (m.type()) {
      case DASHBOARD_INIT ->
          p.send(
              Message.of(
                  new Ack(
                      m.id(),
                      true,
                      null,
                      null,
                      true,
                      m.payload(DashboardInit.class).subscriptions())));
      case DASHBOARD_SUBSCRIBE, DASHBOARD_UNSUBSCRIBE -> p.send(Message.of(Ack.of(m.id())));
      // The web frontend's heartbeat: answered here, on the reading thread, before the next frame
      // is read.
      case PING ->
          p.send(Message.of(Pong.answering(m.payload(Ping.class), System.currentTimeMillis())));
      case PONG, ACK -> {}
      case COMMAND_REQUEST -> {
        CommandRequest r = m.payload(CommandRequest.class);
        worker.execute(
            () ->
                reply(
                    p,
                    m,
                    commandService.request(r.agentId(), r.commandId(), r.text(), "dashboard")));
      }
      case COMMAND_CANCEL -> {
        CommandCancel c = m.payload(CommandCancel.class);
        worker.execute(() -> reply(p, m, commandService.cancel(c.commandId(), c.reason())));
      }
      case AGENT_CONTROL -> {
        AgentControl c = m.payload(AgentControl.class);
        worker.execute(
            () ->
                reply(
                    p,
                    m,
                    commandService.control(
                        c.agentId(), c.action() == null ? null : c.action().raw(), c.reason())));
      }
      default ->
          FrameGuard.refuse(
              p,
              ErrorCode.INVALID_MESSAGE_TYPE,
              m.type() + " is not accepted on the dashboard endpoint",
              m.id());
    }
  }

  private static void reply(Peer p, Message m, Outcome<?> outcome) {
    if (outcome.isOk()) {
      p.send(Message.of(Ack.of(m.id())));
    } else {
      p.send(Messages.error(outcome.code(), outcome.message(), m.id()));
    }
  }
}

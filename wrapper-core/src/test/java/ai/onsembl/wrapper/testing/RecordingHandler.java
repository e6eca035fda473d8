package ai.onsembl.wrapper.testing;

import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.EmergencyStop;
import ai.onsembl.wrapper.command.CommandHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A command handler that only records what the wrapper asked of it. */
public class RecordingHandler implements CommandHandler {
  public final List<String> calls = new CopyOnWriteArrayList<>();

  @Override
  public void onCommandRequest(CommandRequest request) {
    calls.add("request " + request.commandId() + " " + request.text());
  }

  @Override
  public void onCommandCancel(CommandCancel cancel) {
    calls.add("cancel " + cancel.commandId());
  }

  @Override
  public void onEmergencyStop(EmergencyStop stop) {
    calls.add("emergency");
  }

  @Override
  public void pause() {
    calls.add("pause");
  }

  @Override
  public void resume() {
    calls.add("resume");
  }

  @Override
  public void cancelAll(String reason, Duration grace) {
    calls.add("cancelAll " + reason);
  }

  @Override
  public CommandStats stats() {
    return new CommandStats(3, 250.0);
  }
}

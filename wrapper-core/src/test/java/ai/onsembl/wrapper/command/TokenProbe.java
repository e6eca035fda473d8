package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.StreamType;
import java.util.Map;

/** Runs in a child JVM that holds ONSEMBL_TOKEN: prints what an exec-mode command saw of it. */
final class TokenProbe {
  private TokenProbe() {}

  public static void main(String[] args) {
    RecordingOutbound out = new RecordingOutbound();
    try (CommandRunner r =
        new CommandRunner(
            Requests.shellExec().withEnvironment(Map.of("OTHER", "x")), out, () -> "probe", null)) {
      r.onCommandRequest(
          Requests.request("c1", "printf '[%s][%s]' \"${ONSEMBL_TOKEN-unset}\" \"$OTHER\""));
      out.awaitComplete("c1");
      System.out.println("command saw " + out.textOf("c1", StreamType.STDOUT));
    }
  }
}

package ai.onsembl.cli;

import ai.onsembl.wrapper.login.LoginFile;
import ai.onsembl.wrapper.login.SavedLogin;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the saved login {@code start} uses when neither ONSEMBL_TOKEN nor a token file gives a
 * token: ours ({@code <state dir>/login.json}, written by {@code onsembl-agent login}), else the
 * TypeScript wrapper's ({@code ~/.onsembl/credentials.enc}).
 */
final class SavedLogins {
  /** A login and the file it came from. */
  record Found(LoginFile file, SavedLogin login) {}

  private SavedLogins() {}

  /**
   * Ours, else the TypeScript wrapper's, else null. A file that exists but is not a usable login:
   * exit 2.
   */
  static Found find(Path stateDir) {
    LoginFile ours = LoginFile.ours(stateDir);
    Optional<SavedLogin> l = ours.read();
    if (l.isPresent()) {
      return new Found(ours, l.get());
    }
    LoginFile ts = LoginFile.typeScript(LoginFile.typeScriptDir());
    return ts.read().map(x -> new Found(ts, x)).orElse(null);
  }

  /**
   * {@code http://h:p} to {@code ws://h:p}, {@code https://} to {@code wss://} (the agent path is
   * added later).
   */
  static String webSocketUrl(String httpBase) {
    if (httpBase.startsWith("https://")) {
      return "wss://" + httpBase.substring(8);
    }
    if (httpBase.startsWith("http://")) {
      return "ws://" + httpBase.substring(7);
    }
    return httpBase;
  }
}

package ai.onsembl.cli;

import ai.onsembl.wrapper.login.LoginFile;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent logout}: removes the login {@code onsembl-agent login} saved in the state
 * dir.
 */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Remove the saved login of 'onsembl-agent login' from the state dir.")
public final class LogoutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StateDirOption state = new StateDirOption();

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    LoginFile file = LoginFile.ours(state.resolve(env));
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        file.delete()
            ? "onsembl logout: removed " + file.path()
            : "onsembl logout: not logged in (no " + file.path() + ")");
    LoginFile ts = LoginFile.typeScript(LoginFile.typeScriptDir());
    if (ts.exists()) {
      out.println(
          "onsembl logout: the TypeScript wrapper's login "
              + ts.path()
              + " is left alone; start uses it"
              + " when there is no login of ours (remove it with the TypeScript CLI's logout)");
    }
    out.flush();
    return 0;
  }
}

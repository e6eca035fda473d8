package ai.onsembl.wrapper.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentIdsTest {
  @TempDir Path dir;

  /** Lines of {@code Properties.store}'s text, without its date line, in a fixed order. */
  private static List<String> storedWithoutDate(Properties p) throws IOException {
    StringWriter w = new StringWriter();
    p.store(w, "onsembl-agent: stable agent id per agent name");
    List<String> lines = new ArrayList<>(Arrays.asList(w.toString().split(System.lineSeparator())));
    assertThat(lines.remove(1)).as("the date line").startsWith("#");
    lines.subList(1, lines.size()).sort(null);
    return lines;
  }

  private static List<String> written(Properties p) {
    List<String> lines =
        new ArrayList<>(Arrays.asList(AgentIds.text(p).split(System.lineSeparator())));
    lines.subList(1, lines.size()).sort(null);
    return lines;
  }

  @Test
  void writesWhatPropertiesStoreWritesWithoutTheDateAndReadsBackTheSame() throws IOException {
    Properties p = new Properties();
    for (String name :
        List.of(
            "My Agent",
            " leading space",
            "a=b:c#d!e",
            "tab\there",
            "new\nline\r\f",
            "back\\slash",
            "ünïcødé ☃",
            "",
            "trailing ")) {
      p.setProperty(name, " id " + name);
    }
    Random random = new Random(11);
    for (int i = 0; i < 500; i++) {
      char[] c = new char[random.nextInt(12)];
      for (int j = 0; j < c.length; j++) {
        c[j] = (char) (random.nextBoolean() ? random.nextInt(128) : random.nextInt(0x3000));
      }
      p.setProperty(new String(c), new String(c) + "-" + i);
    }
    assertThat(written(p)).isEqualTo(storedWithoutDate(p));
    Properties back = new Properties();
    back.load(new StringReader(AgentIds.text(p)));
    assertThat(back).isEqualTo(p);
  }

  @Test
  void keepsOneIdPerNameAcrossInstances() throws IOException {
    String first = new AgentIds(dir).forName("My Agent");
    assertThat(first).matches("my-agent-[0-9a-f]{8}");
    assertThat(new AgentIds(dir).forName("My Agent")).isEqualTo(first);
    assertThat(new AgentIds(dir).forName("other")).isNotEqualTo(first);
    assertThat(new AgentIds(dir).forName("My Agent")).isEqualTo(first);
    assertThat(Files.readAllLines(dir.resolve("agent-ids.properties")))
        .first()
        .isEqualTo("#onsembl-agent: stable agent id per agent name");
  }
}

package ai.onsembl.wrapper.command.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AnsiTextTest {
  @Test
  void stripsColoursCursorMovesTitlesAndCharsetsButKeepsTextAndLineEnds() {
    String raw =
        "\u001b[1;31mred\u001b[0m plain\r\n\u001b]0;title\u0007\u001b[2J\u001b[H\u001b(Bok\u001b7\u001b[?25l\tx\u001bP1$r\u001b\\\n";
    assertThat(AnsiText.hasEscapes(raw)).isTrue();
    assertThat(AnsiText.strip(raw)).isEqualTo("red plain\r\nok\tx\n");
  }

  @Test
  void aSequenceCutOffAtTheEndIsDroppedAndPlainTextIsUntouched() {
    assertThat(AnsiText.strip("done\u001b[38;5")).isEqualTo("done");
    assertThat(AnsiText.strip("done\u001b")).isEqualTo("done");
    assertThat(AnsiText.hasEscapes("plain ünïcode\n")).isFalse();
    assertThat(AnsiText.strip("plain ünïcode\n")).isEqualTo("plain ünïcode\n");
  }
}

package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadyLineTest {
  @Test
  void parsesPlainAndTlsLinesAmongOtherOutput() {
    ReadyLine plain =
        ReadyLine.parse("onsembl backend listening ws://127.0.0.1:41234 http://127.0.0.1:41235");
    assertThat(plain.wsPort()).isEqualTo(41234);
    assertThat(plain.httpPort()).isEqualTo(41235);
    assertThat(plain.wsUrl()).isEqualTo("ws://127.0.0.1:41234");

    ReadyLine tls =
        ReadyLine.find("some log\nonsembl backend listening wss://[::1]:9 https://[::1]:10\nmore")
            .orElseThrow();
    assertThat(tls).isEqualTo(new ReadyLine("wss://[::1]:9", "https://[::1]:10"));
    assertThat(tls.wsPort()).isEqualTo(9);
  }

  @Test
  void printsWhatItParsesAndNamesWhatCameInstead() {
    ReadyLine line = new ReadyLine("ws://h:1", "http://h:2");
    assertThat(ReadyLine.parse(line.toString())).isEqualTo(line);
    assertThat(ReadyLine.find("listening ws://h:1 http://h:2")).isEmpty();
    assertThatThrownBy(() -> ReadyLine.parse("Error: port in use"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "expected 'onsembl backend listening ws://HOST:PORT http://HOST:PORT' but got: Error: port in use");
  }
}

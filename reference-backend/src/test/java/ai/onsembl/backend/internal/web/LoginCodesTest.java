package ai.onsembl.backend.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoginCodesTest {

  private final MutableClock clock = new MutableClock();
  private final LoginCodes codes = new LoginCodes(Duration.ofMinutes(10), clock);

  @Test
  void codeWorksExactlyOnce() {
    String code = codes.issue();
    assertThat(codes.consume(code)).isTrue();
    assertThat(codes.consume(code)).as("second use of the same code").isFalse();
  }

  @Test
  void unusedCodeExpires() {
    String code = codes.issue();
    clock.advance(Duration.ofMinutes(11));
    assertThat(codes.consume(code)).isFalse();
  }

  @Test
  void unknownCodesAreRejected() {
    codes.issue();
    assertThat(codes.consume("nope")).isFalse();
    assertThat(codes.consume(null)).isFalse();
  }

  @Test
  void codesAreLongRandomAndUrlSafe() {
    String a = codes.issue();
    String b = codes.issue();
    assertThat(a).isNotEqualTo(b).hasSizeGreaterThanOrEqualTo(43).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void oldestCodeIsForgottenBeyondTheCap() {
    List<String> issued = new ArrayList<>();
    for (int i = 0; i <= LoginCodes.MAX_OUTSTANDING; i++) {
      issued.add(codes.issue());
    }
    assertThat(codes.consume(issued.get(0))).as("oldest of %s codes", issued.size()).isFalse();
    assertThat(codes.consume(issued.get(issued.size() - 1))).isTrue();
  }
}

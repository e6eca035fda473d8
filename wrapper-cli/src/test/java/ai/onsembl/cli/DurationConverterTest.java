package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  @Test
  void acceptsShortFormsAndIso() {
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationConverter.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void refusesOtherTextSayingWhatWasExpected() {
    assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("expected a duration such as 250ms, 5s, 2m, 1h, 7d or PT5S but got 'soon'");
    assertThatThrownBy(() -> DurationConverter.parse("-5s"))
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> DurationConverter.parse("PT-5S"))
        .isInstanceOf(TypeConversionException.class);
  }
}

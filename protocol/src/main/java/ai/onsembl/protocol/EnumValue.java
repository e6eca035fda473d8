package ai.onsembl.protocol;

import java.util.Objects;

/**
 * An enumerated wire field that survives values it does not know.
 *
 * <p>A newer peer, or the TypeScript backend's lower-case statuses ({@code "disconnected"}), must
 * not break decoding: an unknown text reads as the enum's {@code UNKNOWN} constant with the raw
 * text kept, and encodes back exactly as it came.
 *
 * @param value the known constant, or {@code UNKNOWN}
 * @param raw the text as it was (or will be) on the wire
 */
public record EnumValue<E extends Enum<E>>(E value, String raw) {

  public EnumValue {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(raw, "raw");
  }

  /** The wire value of a known constant. */
  public static <E extends Enum<E>> EnumValue<E> of(E value) {
    return new EnumValue<>(value, value.name());
  }

  /** Reads {@code raw}: an exact constant name is known, anything else is {@code UNKNOWN}. */
  public static <E extends Enum<E>> EnumValue<E> parse(Class<E> type, String raw) {
    Objects.requireNonNull(raw, "raw");
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(raw)) {
        return new EnumValue<>(constant, raw);
      }
    }
    return new EnumValue<>(Enum.valueOf(type, "UNKNOWN"), raw);
  }

  public boolean is(E constant) {
    return value == constant;
  }

  /** True when the text was not one of the constants this build knows. */
  public boolean isUnknown() {
    return !value.name().equals(raw);
  }

  @Override
  public String toString() {
    return raw;
  }
}

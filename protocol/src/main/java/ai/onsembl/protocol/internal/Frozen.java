package ai.onsembl.protocol.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deeply unmodifiable copies of free-form JSON values (maps, lists, scalars; nulls allowed). */
public final class Frozen {
  private Frozen() {}

  public static Map<String, Object> map(Map<String, Object> in) {
    if (in == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, value(v)));
    return Collections.unmodifiableMap(out);
  }

  @SuppressWarnings("unchecked")
  private static Object value(Object v) {
    if (v instanceof Map<?, ?> m) {
      return map((Map<String, Object>) m);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(value(o));
      }
      return Collections.unmodifiableList(out);
    }
    return v;
  }
}

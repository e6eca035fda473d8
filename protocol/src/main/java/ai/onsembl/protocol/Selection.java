package ai.onsembl.protocol;

import ai.onsembl.protocol.internal.SelectionSerializer;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * Which agents (or commands) a dashboard subscribes to, in either dialect on the wire:
 *
 * <ul>
 *   <li>an array of ids, {@code ["*"]} meaning all (ours, and the TypeScript protocol types);
 *   <li>an object, as the Onsembl web frontend sends it: {@code {"all": true}} for all, or {@code
 *       {"ids": ["a-1"]}} for those ids. An object without ids and without {@code "all": false}
 *       means all, as the TypeScript backend reads any non-array.
 * </ul>
 *
 * <p>It is encoded back in the shape it came in ({@link #objectForm()}), so a decoded frame
 * re-encodes equal.
 *
 * @param ids the listed ids ({@code "*"} included when sent), or null when the object form listed
 *     none
 * @param all the object form's {@code all} flag, or null (always null in the array form)
 * @param objectForm true for the frontend's object, false for an array
 */
@JsonSerialize(using = SelectionSerializer.class)
public record Selection(List<String> ids, Boolean all, boolean objectForm) {

  public Selection {
    ids = ids == null ? null : List.copyOf(ids);
    if (!objectForm && ids == null) {
      throw new IllegalArgumentException(
          "the array form needs a list of ids (empty or [\"*\"] for all)");
    }
    if (!objectForm && all != null) {
      throw new IllegalArgumentException("the array form has no 'all' flag: use [\"*\"]");
    }
  }

  /** {@code ["*"]}. */
  public static Selection everything() {
    return new Selection(List.of("*"), null, false);
  }

  /** An array of ids. */
  public static Selection ofIds(List<String> ids) {
    return new Selection(ids, null, false);
  }

  /** The frontend's {@code {"all": true}}. */
  public static Selection allObject() {
    return new Selection(null, true, true);
  }

  /** True when every id is selected. */
  public boolean coversAll() {
    if (objectForm) {
      return Boolean.TRUE.equals(all) || (ids == null && !Boolean.FALSE.equals(all));
    }
    return ids.contains("*");
  }

  /** True when {@code id} is selected. */
  public boolean covers(String id) {
    return coversAll() || (ids != null && ids.contains(id));
  }
}

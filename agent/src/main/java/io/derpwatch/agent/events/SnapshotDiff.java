package io.derpwatch.agent.events;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Compares the snapshot a topic had with the one replacing it; may keep what it needs from earlier ones. */
interface SnapshotDiff<T> {
    List<ChangeEvent> diff(@Nullable T previous, T current);
}

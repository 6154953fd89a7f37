package io.derpwatch.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateStoreTest {
    record Reading(int value) {}

    private static final Topic<Reading> READINGS = new Topic<>("readings", Reading.class);
    private static final Topic<String> OTHER = new Topic<>("other", String.class);

    private final StateStore store = new StateStore();

    @Test
    void latest_isEmptyBeforeTheFirstPublish_thenTheLastSnapshot() {
        assertThat(store.latest(READINGS)).isEmpty();

        store.publish(READINGS, new Reading(1));
        store.publish(READINGS, new Reading(2));

        assertThat(store.latest(READINGS)).contains(new Reading(2));
        assertThat(store.latest(OTHER)).isEmpty();
    }

    @Test
    void subscriber_isToldOfEveryPublish_withTheSnapshotItReplaced() throws Exception {
        List<String> seen = new ArrayList<>();
        AutoCloseable subscription =
                store.subscribe(READINGS, (previous, current) -> seen.add(previous + "->" + current));

        store.publish(READINGS, new Reading(1));
        store.publish(READINGS, new Reading(2));
        store.publish(OTHER, "not mine");
        subscription.close();
        store.publish(READINGS, new Reading(3));

        assertThat(seen).containsExactly("null->Reading[value=1]", "Reading[value=1]->Reading[value=2]");
    }

    @Test
    void listenerThatThrows_doesNotStopTheOthers_norThePublish() {
        List<Reading> seen = new ArrayList<>();
        store.subscribe(READINGS, (previous, current) -> {
            throw new IllegalStateException("broken listener (test)");
        });
        store.subscribe(READINGS, (previous, current) -> seen.add(current));

        store.publish(READINGS, new Reading(7));

        assertThat(seen).containsExactly(new Reading(7));
        assertThat(store.latest(READINGS)).contains(new Reading(7));
    }
}

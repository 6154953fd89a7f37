package io.derpwatch.sinks.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker inside the test JVM (KafkaClusterTestKit, BUILD-NOTES.md's recipe): one
 * combined broker/controller, replication factor 1, no rebalance delay. Ready in ~2 s.
 */
public final class KafkaTestBroker {
    private KafkaTestBroker() {}

    /** Formats, starts and waits for a broker built from {@code nodes}; close it when done. */
    public static KafkaClusterTestKit start(TestKitNodes nodes) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    /** A plaintext broker. */
    public static KafkaClusterTestKit start() throws Exception {
        return start(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build());
    }
}

package io.derpwatch.sinks.kafka;

import io.derpwatch.sinks.Batch;
import io.derpwatch.sinks.DeliveryException;
import io.derpwatch.sinks.PayloadEncoding;
import io.derpwatch.sinks.Signal;
import io.derpwatch.sinks.Sink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces one Kafka message per batch: the OTLP request the OpenTelemetry Collector's kafka receiver reads
 * ({@code otlp_proto} or {@code otlp_json}). The idempotent producer retries inside {@code delivery.timeout.ms}
 * without duplicates; {@link #send} waits for the acknowledgement on the sink's worker thread, never on an
 * event loop.
 */
final class KafkaSink implements Sink {
    static final AttributeKey<String> K8S_NODE_NAME = AttributeKey.stringKey("k8s.node.name");
    static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");

    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final long waitMillis;

    KafkaSink(KafkaSettings settings) {
        this.settings = settings;
        Map<String, Object> props = producerProperties(settings);
        this.waitMillis = Long.parseLong(String.valueOf(props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))) + 10_000;
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Map<String, Object> producerProperties(KafkaSettings s) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // one batch in flight at a time: 8 MiB instead of 32 MiB keeps the producer inside a small agent heap
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(8 << 20));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "derpwatch-" + s.name());
        long timeout = s.timeout().toMillis();
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, Math.min(30_000, timeout - 5))));
        props.putAll(s.producer());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", s.brokers()));
        return props;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public PayloadEncoding encoding() {
        return settings.encoding();
    }

    @Override
    public String keyFor(Signal signal, Collection<?> data) {
        if (!settings.partitionByNode() || data.isEmpty()) {
            return null;
        }
        Object first = data.iterator().next();
        Resource resource = first instanceof MetricData m
                ? m.getResource()
                : first instanceof LogRecordData l ? l.getResource() : Resource.empty();
        String node = resource.getAttribute(K8S_NODE_NAME);
        return node != null ? node : resource.getAttribute(HOST_NAME);
    }

    @Override
    public void send(Batch batch) throws DeliveryException {
        String topic = batch.signal() == Signal.METRICS ? settings.metricsTopic() : settings.logsTopic();
        byte[] key = batch.key() == null ? null : batch.key().getBytes(StandardCharsets.UTF_8);
        try {
            Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, key, batch.payload()));
            ack.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while sending to topic " + topic, true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new DeliveryException("topic " + topic + ": " + cause, cause instanceof RetriableException, cause);
        } catch (TimeoutException e) {
            throw new DeliveryException(
                    "topic " + topic + ": no acknowledgement within " + waitMillis + " ms", true, e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new DeliveryException("topic " + topic + ": " + e, e instanceof RetriableException, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(1)); // within the shutdown grace; unacknowledged batches stay queued
    }

    @Override
    public String toString() {
        return "KafkaSink[" + settings + "]";
    }
}

package io.derpwatch.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionInstruments;
import io.derpwatch.agent.home.HomeReason;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.state.StateStore;
import io.derpwatch.config.SettingsLoader;
import io.derpwatch.config.TelemetrySettings;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When metrics leave the agent, on virtual time: every {@code export-interval} (60 s by default), and once more
 * within {@code event-flush-interval} when {@code tailscale.derp.home_connection} changes, however many changes
 * that bound holds. The reader runs on an {@link EmbeddedChannel}'s loop whose mock ticker the test moves; each
 * export goes through the real export hand-off, which the test drains before it counts.
 */
class MetricExportScheduleTest {
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel channel =
            EmbeddedChannel.builder().ticker(ticker).build();
    private final ExportHandOff handOff = new ExportHandOff(Duration.ofSeconds(5));
    private final RecordingExporter exporter = new RecordingExporter();
    private final LoopMetricReader reader = new LoopMetricReader(exporter, handOff);
    private final SdkMeterProvider provider =
            SdkMeterProvider.builder().registerMetricReader(reader).build();
    private final StateStore state = new StateStore();
    private TelemetrySettings defaults;

    @BeforeEach
    void startAtTheDefaults() throws Exception {
        defaults = SettingsLoader.with(Map.of(), new Properties()).load(null).telemetry();
        HomeConnectionInstruments.register(provider.get("test"), state);
        HomeConnectionInstruments.onChange(state, reader::collectSoon);
        reader.start(channel.eventLoop(), defaults.exportInterval(), defaults.eventFlushInterval());
    }

    @AfterEach
    void stop() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
        handOff.close();
        channel.finishAndReleaseAll();
    }

    @Test
    void defaults_exportEverySixtySeconds_andNothingBetweenTicksWithoutAChange() {
        assertThat(defaults.exportInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.eventFlushInterval()).isEqualTo(Duration.ofSeconds(1));
        publish(1, "fra");
        advance(Duration.ofSeconds(1)); // the first snapshot is a change: its collection
        int afterStart = exports();

        advance(Duration.ofSeconds(58)); // 59 s
        assertThat(exports()).isEqualTo(afterStart);
        advance(Duration.ofSeconds(1)); // 60 s: the tick
        assertThat(exports()).isEqualTo(afterStart + 1);
        advance(Duration.ofSeconds(59));
        assertThat(exports()).isEqualTo(afterStart + 1);
        advance(Duration.ofSeconds(1)); // 120 s
        assertThat(exports()).isEqualTo(afterStart + 2);
    }

    @Test
    void firstHomeSnapshot_isExportedWithinTheFlushInterval_notAfterTheFirstTick() {
        publish(1, "fra");
        advance(Duration.ofMillis(999));
        assertThat(exports()).isZero();

        advance(Duration.ofMillis(1));

        assertThat(exports()).isOne();
        assertThat(lastHomeConnection()).isEqualTo(1);
    }

    @Test
    void homeConnectionChange_causesOneCollectionAtOnce_withTheNewValue() {
        publish(1, "fra");
        advance(Duration.ofSeconds(30));
        int before = exports();

        publish(0, "fra");
        advance(Duration.ofSeconds(1));

        assertThat(exports()).isEqualTo(before + 1);
        assertThat(lastHomeConnection()).isZero();
        advance(Duration.ofSeconds(28)); // 59 s: nothing more until the tick
        assertThat(exports()).isEqualTo(before + 1);
    }

    @Test
    void homeRegionChange_causesOneCollection() {
        publish(1, "fra");
        advance(Duration.ofSeconds(10));
        int before = exports();

        publish(1, "ams");
        advance(Duration.ofSeconds(1));

        assertThat(exports()).isEqualTo(before + 1);
    }

    @Test
    void burstOfChanges_withinTheFlushInterval_causesOneCollection_ofTheLastState() {
        publish(1, "fra");
        advance(Duration.ofSeconds(10));
        int before = exports();

        publish(0, "fra");
        advance(Duration.ofMillis(200));
        publish(1, "fra");
        advance(Duration.ofMillis(200));
        publish(1, "ams");
        advance(Duration.ofMillis(200));
        publish(0, "ams");
        advance(Duration.ofSeconds(2));

        assertThat(exports()).isEqualTo(before + 1);
        assertThat(lastHomeConnection()).isZero();
    }

    @Test
    void sameValueAndRegionAgain_isNoChange_andCausesNoCollection() {
        publish(1, "fra");
        advance(Duration.ofSeconds(10));
        int before = exports();

        for (int i = 0; i < 5; i++) {
            publish(1, "fra"); // e.g. each status poll confirming what the bus said
            advance(Duration.ofSeconds(5));
        }

        assertThat(exports()).isEqualTo(before);
    }

    @Test
    void changeJustBeforeATick_isCollectedByTheTick_once() {
        publish(1, "fra");
        advance(Duration.ofSeconds(59).plusMillis(500));
        int before = exports();

        publish(0, "fra");
        advance(Duration.ofMillis(500)); // the 60 s tick collects the new value
        advance(Duration.ofSeconds(2)); // the request it satisfied adds nothing

        assertThat(exports()).isEqualTo(before + 1);
        assertThat(lastHomeConnection()).isZero();
    }

    @Test
    void afterShutdown_aChangeCollectsNothing() {
        publish(1, "fra");
        advance(Duration.ofSeconds(1));
        int before = exports();
        reader.shutdown().join(5, TimeUnit.SECONDS);

        publish(0, "fra");
        advance(Duration.ofSeconds(120));

        assertThat(exports()).isEqualTo(before);
    }

    private void publish(int value, String region) {
        HomeConnection c = new HomeConnection(
                value,
                value == 1 ? HomeReason.CONNECTED : HomeReason.DERP_UNREACHABLE,
                Optional.of(HomeRegion.codeOnly(region)),
                Optional.empty());
        state.publish(HomeSnapshot.TOPIC, new HomeSnapshot(c, Optional.empty(), Optional.empty(), T0));
    }

    private void advance(Duration d) {
        // step through the interval so each due task runs at its own time, then let the exports land
        long step = Duration.ofMillis(100).toNanos();
        for (long left = d.toNanos(); left > 0; left -= step) {
            ticker.advance(Math.min(step, left), TimeUnit.NANOSECONDS);
            channel.runPendingTasks();
            channel.runScheduledPendingTasks();
            handOff.drain(Duration.ofSeconds(5));
        }
    }

    private int exports() {
        return exporter.batches.size();
    }

    private long lastHomeConnection() {
        Collection<MetricData> last = exporter.batches.get(exporter.batches.size() - 1);
        return last.stream()
                .filter(m -> m.getName().equals(TelemetryNames.HOME_CONNECTION))
                .flatMap(m -> m.getLongGaugeData().getPoints().stream())
                .mapToLong(LongPointData::getValue)
                .findFirst()
                .orElseThrow();
    }

    private static final class RecordingExporter implements MetricExporter {
        final List<Collection<MetricData>> batches = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            batches.add(metrics);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }
    }
}

package io.derpwatch.agent.events;

import io.derpwatch.agent.home.HomeConnection;
import io.derpwatch.agent.home.HomeConnectionInstruments;
import io.derpwatch.agent.home.HomeRegion;
import io.derpwatch.agent.home.HomeSnapshot;
import io.derpwatch.agent.telemetry.TelemetryNames;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code tailscale.derp.home_region.changed} when the home region's code moves from the last known one, and
 * {@code tailscale.derp.home_connection.changed} on the first snapshot and every change of value or reason.
 */
final class HomeChanges implements SnapshotDiff<HomeSnapshot> {
    private final Path socket;
    private Optional<HomeRegion> lastKnownRegion = Optional.empty();

    HomeChanges(Path socket) {
        this.socket = socket;
    }

    @Override
    public List<ChangeEvent> diff(@Nullable HomeSnapshot previousSnapshot, HomeSnapshot current) {
        List<ChangeEvent> out = new ArrayList<>(2);
        HomeConnection connection = current.connection();
        if (current.error().isEmpty()) {
            connection.region().ifPresent(r -> regionMoved(r).ifPresent(out::add));
        }
        HomeConnection previous = previousSnapshot == null ? null : previousSnapshot.connection();
        if (previous != null && previous.value() == connection.value() && previous.reason() == connection.reason()) {
            return out;
        }
        AttributesBuilder b = HomeConnectionInstruments.regionAttributes(connection.region()).toBuilder();
        b.put(TelemetryNames.CURRENT, (long) connection.value());
        if (previous != null) {
            b.put(TelemetryNames.PREVIOUS, (long) previous.value());
        }
        b.put(TelemetryNames.REASON, connection.reason().wireName());
        current.status().ifPresent(s -> b.put(TelemetryNames.BACKEND_STATE, s.backendState()));
        connection.warning().ifPresent(w -> b.put(TelemetryNames.HEALTH_WARNING, w));
        current.error().ifPresent(e -> {
            b.put(TelemetryNames.ERROR_TYPE, e.kind().wireName());
            b.put(TelemetryNames.LOCALAPI_SOCKET, socket.toString());
        });
        out.add(new ChangeEvent(
                TelemetryNames.EVENT_HOME_CONNECTION_CHANGED,
                connection.connected() ? Severity.INFO : Severity.WARN,
                describe(previous, connection),
                b.build()));
        return out;
    }

    private Optional<ChangeEvent> regionMoved(HomeRegion region) {
        Optional<HomeRegion> previous = lastKnownRegion;
        lastKnownRegion = Optional.of(region);
        if (previous.isEmpty() || previous.get().code().equals(region.code())) {
            return Optional.empty();
        }
        HomeRegion from = previous.get();
        AttributesBuilder b = HomeConnectionInstruments.regionAttributes(Optional.of(region)).toBuilder();
        from.id().ifPresent(id -> b.put(TelemetryNames.PREVIOUS_REGION_ID, (long) id));
        b.put(TelemetryNames.PREVIOUS_REGION_CODE, from.code());
        from.name().ifPresent(n -> b.put(TelemetryNames.PREVIOUS_REGION_NAME, n));
        return Optional.of(new ChangeEvent(
                TelemetryNames.EVENT_HOME_REGION_CHANGED,
                Severity.INFO,
                "home DERP region changed from " + from.describe() + " to " + region.describe(),
                b.build()));
    }

    private static String describe(@Nullable HomeConnection previous, HomeConnection current) {
        StringBuilder s = new StringBuilder("home DERP connection ");
        if (previous != null) {
            s.append(previous.value()).append(" -> ");
        }
        s.append(current.value())
                .append(" (")
                .append(current.reason().wireName())
                .append(')');
        current.region().ifPresent(r -> s.append(", region ").append(r.describe()));
        current.warning().ifPresent(w -> s.append(": ").append(w));
        return s.toString();
    }
}

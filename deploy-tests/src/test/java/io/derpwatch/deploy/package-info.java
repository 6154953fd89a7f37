/**
 * Tests of what is deployed: the container image (built and run with podman), the Helm chart and the kustomize
 * overlays (rendered, parsed with the Kubernetes model, their config checked by the agent), the Prometheus rules
 * (promtool) and the Grafana dashboard (metric names against {@code TelemetryNames}).
 */
@NullMarked
package io.derpwatch.deploy;

import org.jspecify.annotations.NullMarked;

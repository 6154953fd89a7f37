#!/usr/bin/env bash
# IPN-bus detection latency and idle CPU: bench/ipn-latency.sh [FLIPS] [IDLE_SECONDS]   (defaults 60, 60)
#
# Runs io.derpwatch.bench.ipn.BusLatencyBench: the lab's LocalAPI in the bench JVM, the agent through the
# launcher (`derpwatch run`, default JVM flags, default export and event-flush settings, flapping off) as a child
# process whose stdout sink (OTLP JSON lines) the bench reads. Each flip raises or resolves tailscaled's
# no-derp-connection warning on the IPN bus and times it to the tailscale.derp.home_connection.changed line.
# Then the agent's on-CPU time (schedstat) over IDLE_SECONDS with the watch open. Figures: docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$root/agent/target/derpwatch.jar
bench=$root/bench/target/derpwatch-bench.jar
[ -f "$jar" ] && [ -f "$bench" ] || (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a copy of the launcher and jar, so a rebuild during the run cannot change what is measured
mkdir -p "$tmp/root/agent/target"
cp "$root/derpwatch" "$tmp/root/"
cp "$jar" "$tmp/root/agent/target/derpwatch.jar"
java -XX:+UseSerialGC -Xmx256m -cp "$bench" io.derpwatch.bench.ipn.BusLatencyBench "$tmp/root/derpwatch" "${1:-60}" "${2:-60}"

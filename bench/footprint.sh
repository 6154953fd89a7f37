#!/usr/bin/env bash
# Footprint harness: steady-state RSS and CPU of `./derpwatch run` against the lab's LocalAPI emulator.
#
#   bench/footprint.sh [SECONDS] [RUNS]        (defaults: 60 s per run, 3 runs)
#
# Each run starts the agent with the launcher's default JVM flags (or DERPWATCH_JAVA_OPTS), default intervals
# and the stdout sink (to /dev/null), waits SECONDS, and reads /proc: VmRSS at the end, and CPU time
# (utime+stime) over the second half of the run, as a percentage of one core. Prints each run and the median.
# Extra config for the agent can be appended with FOOTPRINT_CONF='derpwatch.x = y'.
set -euo pipefail
secs=${1:-60}
runs=${2:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$root/agent/target/derpwatch.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -B -q -DskipTests package)
tmp=$(mktemp -d)
lab_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The lab: steady (connected), phase long enough not to flip during a run.
java -XX:+UseSerialGC -Xmx64m -cp "$jar" io.derpwatch.lab.LabMain "$tmp/ts.sock" 86400 2>"$tmp/lab.err" &
lab_pid=$!
for _ in $(seq 100); do [ -S "$tmp/ts.sock" ] && break; sleep 0.1; done
[ -S "$tmp/ts.sock" ] || { echo "lab did not start:"; cat "$tmp/lab.err"; exit 1; }

cat > "$tmp/agent.conf" <<CONF
derpwatch {
  localapi.socket = "$tmp/ts.sock"
  admin { host = "127.0.0.1", port = 0 }
  netcheck.enabled = false
}
${FOOTPRINT_CONF:-}
CONF

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss=()
cpu=()
for run in $(seq "$runs"); do
  "$root/derpwatch" run --config "$tmp/agent.conf" >/dev/null 2>"$tmp/agent.err" &
  agent_pid=$!
  half=$((secs / 2))
  sleep "$half"
  t0=$(cpu_ticks "$agent_pid")
  sleep $((secs - half))
  t1=$(cpu_ticks "$agent_pid")
  r=$(awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status")
  anon=$(awk '/RssAnon/ {print $2}' "/proc/$agent_pid/status")
  threads=$(awk '/Threads/ {print $2}' "/proc/$agent_pid/status")
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
  c=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s=$((secs - half)) 'BEGIN {printf "%.3f", (b - a) / hz / s * 100}')
  printf 'run %d: RSS %.1f MiB (anon %.1f MiB), %s threads, CPU %s %% of one core\n' "$run" \
    "$(echo "$r / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)" "$threads" "$c"
  rss+=("$r")
  cpu+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
printf 'median of %d runs of %d s: RSS %.1f MiB, CPU %s %% of one core\n' "$runs" "$secs" \
  "$(echo "$(median "${rss[@]}") / 1024" | bc -l)" "$(median "${cpu[@]}")"

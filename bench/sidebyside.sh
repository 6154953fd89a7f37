#!/usr/bin/env bash
# Side-by-side footprint harness: several agent configurations (and the JVM floor) run AT THE SAME TIME against
# one set of loopback peers, so every row of the table saw the same machine load.
#
#   bench/sidebyside.sh [SECONDS] [START_RUNS]     (defaults: 180 s measured, 5 start-time runs)
#
# Peers (bench's FootprintLab, one JVM): the lab's LocalAPI emulator (connected, home region lab-01, IPN bus),
# serving a DERP map of 30 STUN-only regions on 127.0.2.1..30 answered by coturn (the lab's in-process STUN
# responder when coturn is not installed), an OTLP/gRPC receiver and an OTLP/HTTP receiver on 127.0.0.1.
#
# Configurations (KIND):
#   floor            an empty main (Thread.sleep) with the same JVM flags: what the JVM costs before derpwatch
#   stdout           stdout sink (to /dev/null), netcheck off, default intervals (status 10 s, export 60 s, peers 60 s)
#   stdout-netcheck  the same with netcheck over the 30 regions every 60 s
#   fleet-http       OTLP/HTTP protobuf gzip sink (stdout sink off) + netcheck 30 regions at 60 s + status 10 s
#                    + the IPN-bus watch (on by default)
#   fleet-grpc       the same with OTLP/gRPC
# Every agent configuration keeps the other defaults (peers, usermetrics, derp-check, admin server on port 0); no
# interval but netcheck.interval (= its default) is pinned, so status, export and peers run at the defaults of
# the jar measured.
#
# Phases:
#   1. start time: START_RUNS times, one after the other (nothing else of this harness running but the peers),
#      `derpwatch run` with the stdout configuration, the time from exec to the first byte on stdout (the first
#      exported line); prints the runs, the median and the load average. SIDE_START_ALL=1 measures every
#      stdout variant (in turn), not only the first.
#   2. steady state: every variant started at once; after a 30 s warm-up, SECONDS of measurement. At the end
#      of the window, per process: VmRSS, Pss (smaps_rollup), RssAnon+RssFile+RssShmem (what a memory cgroup
#      charges, less kernel objects), threads; CPU over the window as % of one core from utime+stime of
#      /proc/PID/stat (counts threads that ended, e.g. the short-lived export thread; 10 ms ticks) and from the
#      live threads' schedstat (ns; misses threads that ended in the window). Ratio = RSS / the floor's RSS.
#
# Variants: SIDE_VARIANTS=FILE replaces the default set (one per configuration, the launcher's flags). One line
# per variant, fields separated by '|': NAME | KIND | JAVA binary or '-' | JVM flags or '-' for the launcher's
# defaults | CDS: launcher (the launcher's AppCDS archive, trained by one `run --once`), aot (JDK 25 AOT cache:
# trained with -XX:AOTCacheOutput, run with -XX:AOTCache), off | optionally an agent jar (else the default one)
# | optionally a launcher script (else this checkout's `derpwatch`; to time an older launcher against this one).
# '#' starts a comment. Example:
#   fleet-http C1 | fleet-http | - | -XX:+UseSerialGC ... -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 | launcher
# Also: SIDE_NMT=DIR writes `jcmd VM.native_memory summary` of every variant to DIR (adds
# -XX:NativeMemoryTracking=summary to all, which costs RSS itself); SIDE_CLASSLOG=DIR writes -Xlog:class+load
# of every variant; SIDE_DERP=1 adds the lab's DERP stand-in (TLS on 127.0.0.1) as a second node of the home region,
# so the active DERP check does real handshakes (by default every node is STUN-only: the check has nothing to
# check), and makes the agents' "system" trust the JDK's cacerts plus its certificate (-Djavax.net.ssl.trustStore);
# SIDE_THREADS=1 prints each variant's threads by name and
# their CPU in the window; SIDE_HISTO=DIR writes `jcmd GC.class_histogram` of every variant to DIR (after the RSS
# reading, as it runs a full GC); SIDE_JAR=FILE measures another agent jar; SIDE_KEEP=DIR keeps the variants' stderr there.
set -euo pipefail
secs=${1:-180}
start_runs=${2:-5}
warm=${SIDE_WARMUP:-30}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=${SIDE_JAR:-$root/agent/target/derpwatch.jar}
bench_jar=$root/bench/target/derpwatch-bench.jar
if [ ! -f "$jar" ] || [ ! -f "$bench_jar" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true package -pl bench -am)
fi
default_java=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
tmp=$(mktemp -d)
cp "$bench_jar" "$tmp/bench.jar"
pids=()
lab_pid=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

java -XX:+UseSerialGC -Xmx96m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$tmp/bench.jar" \
  io.derpwatch.bench.footprint.FootprintLab "$tmp" 30 ${SIDE_DERP:+derp} >"$tmp/lab.out" 2>"$tmp/lab.err" &
lab_pid=$!
for _ in $(seq 300); do [ -f "$tmp/lab.env" ] && break; sleep 0.1; done
[ -f "$tmp/lab.env" ] || { echo "the lab did not start:"; tail -20 "$tmp/lab.err"; exit 1; }
# shellcheck disable=SC1091
. "$tmp/lab.env"

# SIDE_DERP: the agents' "system" trust is the JDK's cacerts plus the lab DERP server's certificate.
derp_opts=""
if [ -n "${SIDE_DERP:-}" ]; then
  cp "$(dirname "$(readlink -f "$(command -v "$default_java")")")/../lib/security/cacerts" "$tmp/cacerts"
  chmod u+w "$tmp/cacerts"
  "$(dirname "$(readlink -f "$(command -v "$default_java")")")/keytool" -importcert -noprompt -alias lab-derp \
    -keystore "$tmp/cacerts" -storepass changeit -file "$DERP_CA" >/dev/null
  derp_opts="-Djavax.net.ssl.trustStore=$tmp/cacerts"
fi

# The launcher's default flags, as the floor uses them too.
launcher_opts=$(sed -n '/^default_opts="/,/"$/p' "$root/derpwatch" | sed 's/^default_opts="//; s/"$//' | tr '\n' ' ')

conf() { # KIND -> config text
  local kind=$1
  cat <<CONF
derpwatch {
  localapi.socket = "$SOCKET"
  admin { host = "127.0.0.1", port = 0 }
  netcheck {
    enabled = $([ "$kind" = stdout ] && echo false || echo true)
    interval = 60s
    derp-map.source = localapi
    captive-portal.enabled = false
    https-fallback.enabled = false
  }
CONF
  case $kind in
    fleet-http) printf '  sinks.stdout.enabled = false\n  sinks.fleet { type = otlp, protocol = "http/protobuf", endpoint = "%s", compression = gzip }\n' "$HTTP" ;;
    fleet-grpc) printf '  sinks.stdout.enabled = false\n  sinks.fleet { type = otlp, protocol = grpc, endpoint = "%s", compression = gzip }\n' "$GRPC" ;;
  esac
  echo "}"
}

cat > "$tmp/Idle.java" <<'JAVA'
public final class Idle {
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
JAVA
"${default_java%java}javac" --release 17 -d "$tmp" "$tmp/Idle.java"

if [ -n "${SIDE_VARIANTS:-}" ]; then
  variants=$(grep -v '^\s*#' "$SIDE_VARIANTS" | grep -v '^\s*$')
else
  variants="floor | floor | - | - | launcher
stdout | stdout | - | - | launcher
stdout + netcheck 30 | stdout-netcheck | - | - | launcher
fleet OTLP/HTTP | fleet-http | - | - | launcher
fleet OTLP/gRPC | fleet-grpc | - | - | launcher"
fi

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
names=(); kinds=(); javas=(); optss=(); cdss=(); dirs=()
i=0
while IFS='|' read -r n k j o c vj vl; do
  n=$(trim "$n"); k=$(trim "$k"); j=$(trim "$j"); o=$(trim "$o"); c=$(trim "${c:-launcher}"); vj=$(trim "${vj:-}")
  vl=$(trim "${vl:-}")
  [ -z "$vj" ] || [ "$vj" = - ] && vj=$jar
  [ -z "$vl" ] || [ "$vl" = - ] && vl=$root/derpwatch
  [ "$j" = - ] && j=$default_java
  [ "$o" = - ] && o=$launcher_opts
  d="$tmp/v$i"
  mkdir -p "$d/root/agent/target"
  cp "$vl" "$d/root/derpwatch"
  cp "$vj" "$d/root/agent/target/derpwatch.jar"
  # the build's unpacked Netty library beside the jar, which the launcher puts on java.library.path
  if [ -d "${vj%/*}/native" ]; then cp -r "${vj%/*}/native" "$d/root/agent/target/"; fi
  conf "$k" > "$d/agent.conf"
  names+=("$n"); kinds+=("$k"); javas+=("$j"); optss+=("$o"); cdss+=("$c"); dirs+=("$d")
  i=$((i + 1))
done <<< "$variants"
count=$i

extra_opts() { # index -> flags this harness adds
  local e=""
  [ -n "${SIDE_NMT:-}" ] && e="$e -XX:NativeMemoryTracking=summary"
  [ -n "${SIDE_CLASSLOG:-}" ] && e="$e -Xlog:class+load=info:file=${dirs[$1]}/classes.log"
  [ "${cdss[$1]}" = aot ] && e="$e -XX:AOTCache=${dirs[$1]}/app.aot"
  [ -n "$derp_opts" ] && e="$e $derp_opts"
  printf '%s' "$e"
}
launch() { # index, stdout file -> starts the variant in the background, sets $launched
  local v=$1 out=$2 d=${dirs[$1]}
  if [ "${kinds[$v]}" = floor ]; then
    # shellcheck disable=SC2086
    "${javas[$v]}" ${optss[$v]} $(extra_opts "$v") -cp "$tmp" Idle >"$out" 2>"$d/err" &
  else
    local cds=on
    [ "${cdss[$v]}" = launcher ] || cds=off
    JAVA="${javas[$v]}" DERPWATCH_CDS=$cds DERPWATCH_REBUILD=never \
      DERPWATCH_JAVA_OPTS="${optss[$v]} $(extra_opts "$v")" \
      "$d/root/derpwatch" run --config "$d/agent.conf" >"$out" 2>"$d/err" &
  fi
  launched=$!
}

# Training runs: the launcher's AppCDS archive (first `run` writes it, the next check makes it usable), or the
# JDK 25 AOT cache.
for v in $(seq 0 $((count - 1))); do
  [ "${kinds[$v]}" = floor ] && continue
  d=${dirs[$v]}
  case ${cdss[$v]} in
    launcher)
      JAVA="${javas[$v]}" DERPWATCH_REBUILD=never DERPWATCH_JAVA_OPTS="${optss[$v]} $derp_opts" \
        "$d/root/derpwatch" run --once --config "$d/agent.conf" >/dev/null 2>"$d/train.err" || true
      JAVA="${javas[$v]}" DERPWATCH_REBUILD=never DERPWATCH_JAVA_OPTS="${optss[$v]}" \
        "$d/root/derpwatch" version >/dev/null 2>&1 || true
      ls "$d/root/agent/target/" | grep -q -E "^derpwatch-.*\.(jsa|aot)$" || echo "warning: no CDS archive or AOT cache for ${names[$v]}" >&2 ;;
    aot)
      JAVA="${javas[$v]}" DERPWATCH_REBUILD=never DERPWATCH_CDS=off \
        DERPWATCH_JAVA_OPTS="${optss[$v]} -XX:AOTCacheOutput=$d/app.aot" \
        "$d/root/derpwatch" run --once --config "$d/agent.conf" >/dev/null 2>"$d/train.err" || true
      [ -s "$d/app.aot" ] || { echo "warning: no AOT cache for ${names[$v]}:" >&2; tail -5 "$d/train.err" >&2; } ;;
  esac
done

load() { cut -d ' ' -f 1-3 /proc/loadavg; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# Phase 1: start -> first exported line of the stdout variants (the first one; every one with SIDE_START_ALL=1,
# taken in turn so that a change of load hits each alike).
starters=()
for v in $(seq 0 $((count - 1))); do
  [ "${kinds[$v]}" = stdout ] || continue
  starters+=("$v")
  [ -n "${SIDE_START_ALL:-}" ] || break
done
if [ "${#starters[@]}" -gt 0 ] && [ "$start_runs" -gt 0 ]; then
  declare -A times=()
  echo "start -> first exported line, $start_runs runs each, load before: $(load)"
  for r in $(seq "$start_runs"); do
    for sv in "${starters[@]}"; do
      out="${dirs[$sv]}/start.out"
      : > "$out"
      t0=$(date +%s%N)
      launch "$sv" "$out"
      p=$launched
      while [ ! -s "$out" ] && kill -0 "$p" 2>/dev/null; do sleep 0.005; done
      t1=$(date +%s%N)
      kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
      ms=$(( (t1 - t0) / 1000000 ))
      echo "  ${names[$sv]}, run $r: $ms ms"
      times[$sv]="${times[$sv]:-} $ms"
    done
  done
  for sv in "${starters[@]}"; do
    # shellcheck disable=SC2086
    echo "  ${names[$sv]}: median $(median ${times[$sv]}) ms of$(printf ' %s' ${times[$sv]})"
  done
  echo "  load after: $(load)"
fi

# Phase 2: all at once.
for v in $(seq 0 $((count - 1))); do
  launch "$v" /dev/null
  pids+=("$launched")
done
vpid() { # the JVM's pid: the launcher execs java, so the background pid is the JVM
  printf '%s' "${pids[$1]}"
}
load0=$(load)
sleep "$warm"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
per_thread() { # pid -> "tid name on-cpu-ns" per live thread
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' < "$t/comm" 2>/dev/null)" "$(cut -d ' ' -f 1 "$t/schedstat" 2>/dev/null)"
  done
}
sched() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; } # %d caps at 2^31 ns
t0=(); s0=()
for v in $(seq 0 $((count - 1))); do
  p=$(vpid "$v")
  kill -0 "$p" 2>/dev/null || { echo "${names[$v]} died:"; tail -20 "${dirs[$v]}/err"; exit 1; }
  t0+=("$(ticks "$p")"); s0+=("$(sched "$p")")
  [ -n "${SIDE_THREADS:-}" ] && per_thread "$p" > "${dirs[$v]}/threads0"
done
loadm=$(load)
sleep "$secs"
hz=$(getconf CLK_TCK)
kib() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }
rows=(); floor_rss=""
for v in $(seq 0 $((count - 1))); do
  p=$(vpid "$v")
  kill -0 "$p" 2>/dev/null || { echo "${names[$v]} died:"; tail -20 "${dirs[$v]}/err"; exit 1; }
  t1=$(ticks "$p"); s1=$(sched "$p")
  st=/proc/$p/status
  rss=$(kib "$st" VmRSS); anon=$(kib "$st" RssAnon); file=$(kib "$st" RssFile); shm=$(kib "$st" RssShmem)
  thr=$(kib "$st" Threads)
  pss=$(kib "/proc/$p/smaps_rollup" Pss)
  if [ -n "${SIDE_THREADS:-}" ]; then
    echo "threads of ${names[$v]}: $(cat /proc/"$p"/task/*/comm | sed 's/[0-9]*$//' | sort | uniq -c | awk '{printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1}')"
    # CPU ms over the window of each thread alive at both ends (new threads: since they started)
    echo "  CPU ms in the window by thread: $(per_thread "$p" | awk 'NR == FNR {a[$1] = $3; next}
        {d = $3 - ($1 in a ? a[$1] : 0); if (d > 0) printf "%s %.1f\n", $2, d / 1e6}' "${dirs[$v]}/threads0" - \
        | sort -k2 -rn | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')"
  fi
  if [ -n "${SIDE_NMT:-}" ]; then
    mkdir -p "$SIDE_NMT"
    "$(dirname "$(readlink -f "$(command -v "${javas[$v]}")")")/jcmd" "$p" VM.native_memory summary \
      > "$SIDE_NMT/$v-$(echo "${names[$v]}" | tr -c 'A-Za-z0-9\n' '_').txt" 2>&1 || true
  fi
  if [ -n "${SIDE_HISTO:-}" ]; then # after RSS was read: the histogram runs a full GC
    mkdir -p "$SIDE_HISTO"
    "$(dirname "$(readlink -f "$(command -v "${javas[$v]}")")")/jcmd" "$p" GC.class_histogram \
      > "$SIDE_HISTO/$v-$(echo "${names[$v]}" | tr -c 'A-Za-z0-9\n' '_').txt" 2>&1 || true
  fi
  cpu_t=$(awk -v a="${t0[$v]}" -v b="$t1" -v hz="$hz" -v s="$secs" 'BEGIN {printf "%.3f", (b - a) / hz / s * 100}')
  cpu_s=$(awk -v a="${s0[$v]}" -v b="$s1" -v s="$secs" 'BEGIN {printf "%.3f", (b - a) / 1e9 / s * 100}')
  [ "${kinds[$v]}" = floor ] && [ -z "$floor_rss" ] && floor_rss=$rss
  rows+=("$v $rss $pss $anon $file $shm $thr $cpu_t $cpu_s")
done
loadz=$(load)
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
if [ -n "${SIDE_CLASSLOG:-}" ]; then
  mkdir -p "$SIDE_CLASSLOG"
  for v in $(seq 0 $((count - 1))); do
    [ -f "${dirs[$v]}/classes.log" ] && cp "${dirs[$v]}/classes.log" \
      "$SIDE_CLASSLOG/$v-$(echo "${names[$v]}" | tr -c 'A-Za-z0-9\n' '_').log"
  done
fi
if [ -n "${SIDE_KEEP:-}" ]; then
  mkdir -p "$SIDE_KEEP"
  for v in $(seq 0 $((count - 1))); do cp "${dirs[$v]}/err" "$SIDE_KEEP/$v.err" 2>/dev/null || true; done
fi
kill "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true; lab_pid=""

echo
echo "steady state: $count variants side by side, ${warm} s warm-up + ${secs} s measured; STUN: $STUN"
echo "load average (1/5/15 min): at start $load0, at measurement start $loadm, at end $loadz"
echo "java: $("$default_java" -version 2>&1 | head -1)"
echo
printf '| %-28s | %8s | %8s | %14s | %7s | %9s | %9s | %8s |\n' configuration "RSS MiB" "PSS MiB" "anon+file MiB" threads "CPU %" "CPU % ss" "RSS/floor"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" ---------- ---------- ---------------- --------- ----------- ----------- ----------
for row in "${rows[@]}"; do
  read -r v rss pss anon file shm thr cpu_t cpu_s <<< "$row"
  ratio=-
  [ -n "$floor_rss" ] && ratio=$(awk -v a="$rss" -v b="$floor_rss" 'BEGIN {printf "%.2f", a / b}')
  printf '| %-28s | %8.1f | %8.1f | %14s | %7s | %9s | %9s | %9s |\n' "${names[$v]}" \
    "$(awk -v x="$rss" 'BEGIN {print x / 1024}')" "$(awk -v x="$pss" 'BEGIN {print x / 1024}')" \
    "$(awk -v a="$anon" -v f="$file" -v s="$shm" 'BEGIN {printf "%.1f+%.1f", a / 1024, (f + s) / 1024}')" \
    "$thr" "$cpu_t" "$cpu_s" "$ratio"
done
echo
grep '^lab:' "$tmp/lab.err" | tail -1 || true
echo "CPU %: utime+stime over the window (10 ms ticks, includes threads that ended); CPU % ss: live threads' schedstat."

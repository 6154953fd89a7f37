#!/usr/bin/env bash
# Footprint harness: steady-state RSS and CPU of `./derpwatch run` against the lab's LocalAPI emulator.
#
#   bench/footprint.sh [SECONDS] [RUNS]        (defaults: 60 s per run, 3 runs)
#
# Each run starts the agent with the launcher's default JVM flags (or DERPWATCH_JAVA_OPTS), default intervals
# and the stdout sink (to /dev/null), waits SECONDS, and reads /proc: VmRSS/RssAnon/RssFile and the thread count
# at the end, and CPU time over the second half of the run as a percentage of one core. CPU is the sum of every
# thread's on-CPU time from /proc/PID/task/*/schedstat (nanoseconds; utime+stime in /proc/PID/stat counts 10 ms
# ticks, too coarse for a process that needs a few ms a minute). Prints each run and the medians. Live threads'
# schedstat misses a thread that ended within the window (the agent's export thread lives for one export), so each
# run also prints CPU from utime+stime of /proc/PID/stat ("stat"), which counts ended threads, in 10 ms ticks.
#
# Environment:
#   FOOTPRINT_CONF='derpwatch.x = y'   extra agent config appended to the run's config file
#   FOOTPRINT_BASELINE=1               run an empty main (Thread.sleep) with the same JVM flags instead of the
#                                      agent: what the JVM costs before derpwatch loads a class
#   FOOTPRINT_NMT=FILE                 add -XX:NativeMemoryTracking=summary and write `jcmd VM.native_memory
#                                      summary` of the last run to FILE (NMT itself costs some RSS: don't
#                                      compare its RSS with runs without it)
#   FOOTPRINT_CLASSLOG=FILE            write -Xlog:class+load of the last run to FILE
#   FOOTPRINT_JAR=FILE                 measure this jar instead of agent/target/derpwatch.jar
#   FOOTPRINT_THREADS=1                also print each run's CPU per thread over the window (schedstat by thread
#                                      name, ms and % of one core), and "(ended threads)": stat minus live threads
#   DERPWATCH_JAVA_OPTS, DERPWATCH_CDS, JAVA   as for the launcher
set -euo pipefail
secs=${1:-60}
runs=${2:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=${FOOTPRINT_JAR:-$root/agent/target/derpwatch.jar}
[ -f "$jar" ] || (cd "$root" && ./mvnw -B -q -DskipTests package)
java_bin=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
tmp=$(mktemp -d)
# Run a copy of the launcher and jar, so a rebuild during a run cannot change what is measured.
mkdir -p "$tmp/root/agent/target"
cp "$root/derpwatch" "$tmp/root/"
cp "$jar" "$tmp/root/agent/target/derpwatch.jar"
jar="$tmp/root/agent/target/derpwatch.jar"
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
for _ in $(seq 600); do [ -S "$tmp/ts.sock" ] && break; sleep 0.1; done # up to 60 s: a loaded machine
[ -S "$tmp/ts.sock" ] || { echo "lab did not start:"; cat "$tmp/lab.err"; exit 1; }

cat > "$tmp/agent.conf" <<CONF
derpwatch {
  localapi.socket = "$tmp/ts.sock"
  admin { host = "127.0.0.1", port = 0 }
  netcheck.enabled = false
}
${FOOTPRINT_CONF:-}
CONF

if [ -n "${FOOTPRINT_BASELINE:-}" ]; then
  cat > "$tmp/Idle.java" <<'JAVA'
public final class Idle {
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
JAVA
  "${java_bin%java}javac" --release 17 -d "$tmp" "$tmp/Idle.java"
fi

# The launcher's flags unless DERPWATCH_JAVA_OPTS overrides them.
launcher_opts=$(sed -n '/^default_opts="/,/"$/p' "$tmp/root/derpwatch" | sed 's/^default_opts="//; s/"$//' | tr '\n' ' ')
opts=${DERPWATCH_JAVA_OPTS:-$launcher_opts}
extra=""
[ -n "${FOOTPRINT_NMT:-}" ] && extra="$extra -XX:NativeMemoryTracking=summary"
[ -n "${FOOTPRINT_CLASSLOG:-}" ] && extra="$extra -Xlog:class+load=info:file=$tmp/classes.log"

# The launcher writes its AppCDS archive on the first `run` and maps it from the second: one untimed
# `run --once` first, so every measured run maps it (DERPWATCH_CDS=off skips both).
if [ -z "${FOOTPRINT_BASELINE:-}" ] && [ "${DERPWATCH_CDS:-on}" != off ]; then
  DERPWATCH_JAVA_OPTS="$opts" "$tmp/root/derpwatch" run --once --config "$tmp/agent.conf" >/dev/null 2>&1 || true
fi

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# per thread: "tid name ns", one line each (names may hold spaces: comm is read whole)
per_thread() {
  local d
  for d in /proc/"$1"/task/*; do
    [ -r "$d/schedstat" ] || continue
    printf '%s %s %s\n' "${d##*/}" "$(tr ' ' '_' < "$d/comm" 2>/dev/null)" "$(cut -d ' ' -f 1 "$d/schedstat" 2>/dev/null)"
  done
}
status() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
rss=(); anon=(); cpu=(); cpuk=(); thr=()
for run in $(seq "$runs"); do
  if [ -n "${FOOTPRINT_BASELINE:-}" ]; then
    # shellcheck disable=SC2086
    "$java_bin" $opts $extra -cp "$tmp" Idle >/dev/null 2>"$tmp/agent.err" &
  else
    DERPWATCH_JAVA_OPTS="$opts $extra" "$tmp/root/derpwatch" run --config "$tmp/agent.conf" >/dev/null 2>"$tmp/agent.err" &
  fi
  agent_pid=$!
  half=$((secs / 2))
  sleep "$half"
  t0=$(cpu_ns "$agent_pid"); k0=$(ticks "$agent_pid")
  [ -n "${FOOTPRINT_THREADS:-}" ] && per_thread "$agent_pid" > "$tmp/threads0"
  sleep $((secs - half))
  t1=$(cpu_ns "$agent_pid"); k1=$(ticks "$agent_pid")
  [ -n "${FOOTPRINT_THREADS:-}" ] && per_thread "$agent_pid" > "$tmp/threads1"
  r=$(status "$agent_pid" VmRSS); a=$(status "$agent_pid" RssAnon); f=$(status "$agent_pid" RssFile)
  t=$(status "$agent_pid" Threads)
  if [ "$run" = "$runs" ] && [ -n "${FOOTPRINT_NMT:-}" ]; then
    "${java_bin%java}jcmd" "$agent_pid" VM.native_memory summary > "$FOOTPRINT_NMT" 2>&1 || true
    awk '{print}' "/proc/$agent_pid/status" >> "$FOOTPRINT_NMT"
  fi
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
  [ -n "${FOOTPRINT_CLASSLOG:-}" ] && cp "$tmp/classes.log" "$FOOTPRINT_CLASSLOG"
  c=$(awk -v a="$t0" -v b="$t1" -v s=$((secs - half)) 'BEGIN {printf "%.3f", (b - a) / 1e9 / s * 100}')
  ck=$(awk -v a="$k0" -v b="$k1" -v s=$((secs - half)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.3f", (b - a) / hz / s * 100}')
  printf 'run %d: RSS %.1f MiB (anon %.1f, file %.1f), %s threads, CPU %s %% of one core (stat %s), load %s\n' \
    "$run" "$(echo "$r / 1024" | bc -l)" "$(echo "$a / 1024" | bc -l)" "$(echo "$f / 1024" | bc -l)" "$t" "$c" \
    "$ck" "$(cut -d ' ' -f 1-3 /proc/loadavg)"
  if [ -n "${FOOTPRINT_THREADS:-}" ]; then
    # a thread that started in the window counts from 0; one that ended is in "(ended threads)"
    awk -v s=$((secs - half)) -v stat_ms="$(awk -v a="$k0" -v b="$k1" -v hz="$(getconf CLK_TCK)" \
        'BEGIN {print (b - a) / hz * 1000}')" '
      FNR == NR { before[$1] = $3; next }
      { d = $3 - ($1 in before ? before[$1] : 0); by[$2] += d; live += d }
      END {
        for (n in by) printf "  %-28s %8.1f ms %7.3f %%\n", n, by[n] / 1e6, by[n] / 1e9 / s * 100 | "sort -k2 -rn"
        close("sort -k2 -rn")
        e = stat_ms - live / 1e6
        printf "  %-28s %8.1f ms %7.3f %%  (stat minus live threads; 10 ms ticks)\n", "(ended threads)", e, e / 10 / s
      }' "$tmp/threads0" "$tmp/threads1"
  fi
  rss+=("$r"); anon+=("$a"); cpu+=("$c"); cpuk+=("$ck"); thr+=("$t")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
printf 'median of %d runs of %d s: RSS %.1f MiB (anon %.1f), CPU %s %% of one core (stat %s), %s threads\n' \
  "$runs" "$secs" "$(echo "$(median "${rss[@]}") / 1024" | bc -l)" "$(echo "$(median "${anon[@]}") / 1024" | bc -l)" \
  "$(median "${cpu[@]}")" "$(median "${cpuk[@]}")" "$(median "${thr[@]}")"

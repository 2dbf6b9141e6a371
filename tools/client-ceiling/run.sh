#!/usr/bin/env bash
# The streaming client's ceiling on this machine (docs/client-performance.md).
#
#   flock /tmp/mvn.lock ./mvnw -q -o package -DskipTests      # once: benchmarks/target/benchmarks.jar
#   flock /tmp/mvn.lock tools/client-ceiling/run.sh [parse|burst|paced|all] [ClientCeiling name=value ...]
#
# Hold the build lock while measuring (as above) so that no build shares the CPUs. Everything runs
# on 127.0.0.1, bounded in requests and time, and stops by itself.
#   burst: nginx (installed from Debian if missing) serves a recorded 256-token completions stream
#          as a static file for POST /v1/completions; ClientCeiling burst at 1, 100, 1000 streams.
#   paced: ClientCeiling paced starts its own PacedSseServer (one event per token per cadence) and
#          reports the timestamp error at 1000 streams.
#   parse: the parser and recorder alone, from memory, one thread (org.tokenpowerbench.client.ParseCost).
# Environment:
#   VARIANTS  space-separated clients to measure in this one run, each NAME or NAME=git:REV or
#             NAME=dir:PATH: that revision's or folder's SseParser, StreamRecorder, StreamingClient and
#             ClosedLoopDriver, compiled against the jar and put before it on the class path.
#             Default "current" (the jar as built).
#             Example: VARIANTS="before=git:8aff62a current" gives before/after ratios in one run.
#   JAR (benchmarks/target/benchmarks.jar), PORT (18080), WORK (/tmp/tpb-client-ceiling),
#   JAVA_OPTS (extra JVM options), JSON (results file, default $WORK/results.jsonl)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tools/client-ceiling"
what=${1:-all}
[ $# -gt 0 ] && shift
jar=${JAR:-$root/benchmarks/target/benchmarks.jar}
port=${PORT:-18080}
work=${WORK:-/tmp/tpb-client-ceiling}
json=${JSON:-$work/results.jsonl}
variants=${VARIANTS:-current}
java_opts=${JAVA_OPTS:-}

if [ ! -f "$jar" ]; then
  echo "no $jar: build it first with: flock /tmp/mvn.lock ./mvnw -q -o package -DskipTests" >&2
  exit 2
fi
mkdir -p "$work"

echo "== $(date -Is) $(hostname): $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
java -version 2>&1 | head -1

# ---------------------------------------------------------------- clients to measure
classpath_of() { # NAME or NAME=git:REV or NAME=dir:PATH -> classpath
  local spec=$1 name=${1%%=*} src
  if [ "$spec" = "$name" ]; then echo "$jar"; return; fi
  src="$work/variants/$name/src"
  rm -rf "$work/variants/$name"; mkdir -p "$src" "$work/variants/$name/classes"
  local f files="client/SseParser.java client/StreamRecorder.java client/StreamingClient.java workload/ClosedLoopDriver.java"
  case "${spec#*=}" in
    git:*)
      local rev=${spec#*=git:}
      for f in $files; do
        git -C "$root" show "$rev:framework/src/main/java/org/tokenpowerbench/$f" > "$src/$(basename "$f")"
      done ;;
    dir:*)
      for f in $files; do
        if [ -f "${spec#*=dir:}/$(basename "$f")" ]; then cp "${spec#*=dir:}/$(basename "$f")" "$src/"; fi
      done ;;
    *) echo "variant '$spec': use NAME, NAME=git:REV or NAME=dir:PATH" >&2; exit 2 ;;
  esac
  javac -nowarn -d "$work/variants/$name/classes" -cp "$jar" "$src"/*.java >&2
  echo "$work/variants/$name/classes:$jar"
}

# ---------------------------------------------------------------- nginx for the bursts
nginx_pid=""
stop_nginx() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid"
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
  fi
}
start_nginx() {
  if ! command -v nginx >/dev/null 2>&1; then
    echo "installing nginx-light from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  fi
  local dir="$work/nginx"
  rm -rf "$dir"; mkdir -p "$dir/logs" "$dir/www/v1"
  sed "s/@PORT@/$port/" "$here/nginx.conf" > "$dir/nginx.conf"
  java -cp "$jar" org.tokenpowerbench.benchmarks.ClientCeiling write-stream out="$dir/www/v1/completions" tokens=256
  nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
  for _ in $(seq 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
  nginx_pid=$(cat "$dir/nginx.pid")
  trap stop_nginx EXIT
  local got
  got=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"prompt":"p0"}' "http://127.0.0.1:$port/v1/completions" | tail -c 40 | tr '\n' ' ')
  echo "nginx $(nginx -v 2>&1 | cut -d/ -f2) on 127.0.0.1:$port (pid $nginx_pid), POST answers ...$got"
}

nginx_cpu() { # CPU seconds (user+system) of nginx's processes so far
  local t=0 p
  for p in $nginx_pid $(pgrep -P "$nginx_pid" 2>/dev/null); do
    t=$(awk -v t="$t" '{printf "%.2f", t + ($14 + $15) / 100}' "/proc/$p/stat")
  done
  echo "$t"
}

run_ceiling() { # CLASSPATH LABEL COMMAND ARGS...
  local cp=$1 label=$2; shift 2
  # shellcheck disable=SC2086
  java $java_opts -cp "$cp" org.tokenpowerbench.benchmarks.ClientCeiling "$@" label="$label" json="$json"
}

busy_cores() { # machine-wide busy CPUs over $1 seconds, from /proc/stat
  local a b
  a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); printf "%.2f", (y[1]-x[1])/((y[1]-x[1])+(y[2]-x[2]))*'"$(nproc)"'}'
}
wait_quiet() { # other work (a compiler outside the build lock) would share the CPUs: wait for it, a while
  local busy i
  for i in $(seq 60); do
    busy=$(busy_cores 2)
    if awk -v b="$busy" 'BEGIN{exit !(b < 0.3)}'; then echo "machine quiet: $busy busy CPUs"; return; fi
    echo "waiting for a quiet machine: $busy CPUs busy ($(ps -eo pcpu,comm --sort=-pcpu | sed -n 2,4p | tr -s ' ' | tr '\n' ';'))"
  done
  echo "WARNING: the machine stayed busy; figures below share the CPUs with other work"
}

declare -A cps
for v in $variants; do cps[${v%%=*}]=$(classpath_of "$v"); done

wait_quiet
if [ "$what" = parse ] || [ "$what" = all ]; then
  for v in $variants; do n=${v%%=*}; java $java_opts -cp "${cps[$n]}" org.tokenpowerbench.client.ParseCost seconds=4 label="$n"; done
fi
if [ "$what" = burst ] || [ "$what" = all ]; then
  start_nginx
  for v in $variants; do
    n=${v%%=*}
    before=$(nginx_cpu)
    run_ceiling "${cps[$n]}" "$n" burst url="http://127.0.0.1:$port" "$@"
    echo "nginx worker CPU during [$n]: $(awk -v a="$before" -v b="$(nginx_cpu)" 'BEGIN{printf "%.2f s", b-a}')"
  done
  stop_nginx
fi
if [ "$what" = paced ] || [ "$what" = all ]; then
  for v in $variants; do n=${v%%=*}; run_ceiling "${cps[$n]}" "$n" paced "$@"; done
fi
echo "results appended to $json"

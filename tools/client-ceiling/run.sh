#!/usr/bin/env bash
# The streaming client's ceiling on this machine (docs/client-performance.md).
#
#   flock /tmp/mvn.lock ./mvnw -q -o package -DskipTests      # once: perf/target/perf.jar
#   flock /tmp/mvn.lock tools/client-ceiling/run.sh [parse|burst|paced|all] [ClientCeiling name=value ...]
#
# Hold the build lock while measuring (as above) so that no build shares the CPUs; the script also
# waits (a while) for a quiet machine. Everything runs on 127.0.0.1, bounded in requests and time,
# and stops by itself.
#   parse: the parser and recorder alone, from memory, one thread (org.tokenpowerbench.perf.ParseCost;
#          org.tokenpowerbench.client.ParseCost in jars built before it moved).
#   burst: nginx (installed from Debian if missing) serves a recorded 256-token completions stream
#          as a static file for POST /v1/completions; ClientCeiling burst at 1, 100, 1000 streams.
#   paced: ClientCeiling paced starts its own PacedSseServer (one event per token per cadence) and
#          reports the timestamp error at 1000 streams; reader=bare,bare-spin give the floor.
#   all:   the three, in that order.
# Name=value arguments go to every ClientCeiling run (burst and paced take different ones).
# Environment:
#   VARIANTS  space-separated clients to measure in this one run, each
#               NAME                  the jar as built ("current" is the default);
#               NAME=opts:OPTION      the jar as built with an extra JVM option, e.g. zgc=opts:-XX:+UseZGC;
#               NAME=jar:PATH         another perf.jar (or an older benchmarks.jar), e.g. main's, built in a worktree of its own;
#               NAME=git:REV          that revision's SseParser, StreamRecorder, StreamingClient and
#                                     ClosedLoopDriver, compiled against the jar and put before it;
#               NAME=git:REV+F.java+  the same, but the files named after REV from the working tree;
#               NAME=dir:PATH         those four files from a folder.
#             Example: VARIANTS="before=git:8aff62a current" gives before/after ratios in one run.
#   JAR (perf/target/perf.jar), PORT (18080), WORK (/tmp/tpb-client-ceiling),
#   JAVA_OPTS (extra JVM options for every run), JSON (results file, default $WORK/results.jsonl),
#   PARSE_ARGS (extra ParseCost arguments, e.g. "rounds=3")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tools/client-ceiling"
what=${1:-all}
[ $# -gt 0 ] && shift
jar=${JAR:-$root/perf/target/perf.jar}
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

echo "== $(date -Is) $(hostname): $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
java -version 2>&1 | head -1

# ---------------------------------------------------------------- clients to measure
classpath_of() { # a variant -> its class path
  local spec=$1 name=${1%%=*} src f rev keep
  case "$spec" in "$name" | *=opts:*) echo "$jar"; return ;; *=jar:*) echo "${spec#*=jar:}"; return ;; esac
  src="$work/variants/$name/src"
  rm -rf "$work/variants/$name"; mkdir -p "$src" "$work/variants/$name/classes"
  local files="client/SseParser.java client/StreamRecorder.java client/StreamingClient.java workload/ClosedLoopDriver.java"
  case "$spec" in
    *=git:*)
      rev=${spec#*=git:} keep=""
      if [ "${rev#*+}" != "$rev" ]; then keep="+${rev#*+}+"; rev=${rev%%+*}; fi
      for f in $files; do
        case "$keep" in
          *"+$(basename "$f")+"*) cp "$root/framework/src/main/java/org/tokenpowerbench/$f" "$src/" ;;
          *) git -C "$root" show "$rev:framework/src/main/java/org/tokenpowerbench/$f" > "$src/$(basename "$f")" ;;
        esac
      done ;;
    *=dir:*)
      for f in $files; do
        if [ -f "${spec#*=dir:}/$(basename "$f")" ]; then cp "${spec#*=dir:}/$(basename "$f")" "$src/"; fi
      done ;;
    *) echo "variant '$spec': use NAME, NAME=opts:OPTIONS, NAME=jar:PATH, NAME=git:REV[+FILE...] or NAME=dir:PATH" >&2; exit 2 ;;
  esac
  javac -nowarn -d "$work/variants/$name/classes" -cp "$jar" "$src"/*.java >&2
  echo "$work/variants/$name/classes:$jar"
}

opts_of() { # a variant's extra JVM options
  case "$1" in *=opts:*) echo "${1#*=opts:}" ;; esac
}

declare -A cps
for v in $variants; do cps[${v%%=*}]=$(classpath_of "$v"); done

run_java() { # VARIANT MAIN-CLASS ARGS...
  local v=$1 main=$2; shift 2
  # shellcheck disable=SC2086,SC2046
  java $java_opts $(opts_of "$v") -cp "${cps[${v%%=*}]}" "$main" "$@"
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
  java -cp "$jar" org.tokenpowerbench.perf.ClientCeiling write-stream out="$dir/www/v1/completions" tokens=256
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

# ---------------------------------------------------------------- a quiet machine
busy_cores() { # machine-wide busy CPUs over $1 seconds, from /proc/stat
  local a b
  a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); printf "%.2f", (y[1]-x[1])/((y[1]-x[1])+(y[2]-x[2]))*'"$(nproc)"'}'
}
wait_quiet() { # other work (a compiler outside the build lock) would share the CPUs: wait for it, a while
  local busy
  for _ in $(seq 60); do
    busy=$(busy_cores 2)
    if awk -v b="$busy" 'BEGIN{exit !(b < 0.3)}'; then echo "machine quiet: $busy busy CPUs"; return; fi
    echo "waiting for a quiet machine: $busy CPUs busy ($(ps -eo pcpu,comm --sort=-pcpu | sed -n 2,4p | tr -s ' ' | tr '\n' ';'))"
  done
  echo "WARNING: the machine stayed busy; figures below share the CPUs with other work"
}

# ---------------------------------------------------------------- runs
wait_quiet
if [ "$what" = parse ] || [ "$what" = all ]; then
  for v in $variants; do
    parse_main=org.tokenpowerbench.perf.ParseCost
    if ! unzip -l "${cps[${v%%=*}]##*:}" org/tokenpowerbench/perf/ParseCost.class >/dev/null 2>&1; then
      parse_main=org.tokenpowerbench.client.ParseCost # a jar from before it moved to perf's own package
    fi
    # shellcheck disable=SC2086
    run_java "$v" "$parse_main" seconds=4 label="${v%%=*}" ${PARSE_ARGS:-}
  done
fi
if [ "$what" = burst ] || [ "$what" = all ]; then
  start_nginx
  for v in $variants; do
    before=$(nginx_cpu)
    run_java "$v" org.tokenpowerbench.perf.ClientCeiling burst url="http://127.0.0.1:$port" "$@" \
      label="${v%%=*}" json="$json"
    echo "nginx worker CPU during [${v%%=*}]: $(awk -v a="$before" -v b="$(nginx_cpu)" 'BEGIN{printf "%.2f s", b-a}')"
  done
  stop_nginx
fi
if [ "$what" = paced ] || [ "$what" = all ]; then
  for v in $variants; do
    run_java "$v" org.tokenpowerbench.perf.ClientCeiling paced "$@" label="${v%%=*}" json="$json"
  done
fi
echo "results appended to $json"

#!/usr/bin/env bash
# Reruns of one point, one after another (issue #14, item 3): does each run's 95 % interval cover
# the others' mean, and what moved between them? Each run's folder is kept whole (summary.json,
# iterations.jsonl with the host's CPU per wave, conditions.jsonl, engines/*.log, the counter grids)
# and all of them go into one tar, since a device call brings back a limited number of files.
#
# Usage (from the project root, on the GPU machine):
#   BENCH_JAR=.device/bench.jar LLAMA_SERVER=/path/to/llama-server tools/gpu-proof/reruns.sh N OUTDIR [FIRST]
# (inside a device call, under `timeout SECONDS` a little short of the call's limit: on TERM the
# running run is stopped and the finished ones are tarred and tabled)
# N runs numbered FIRST (default 1) on; OUTDIR gets reruns-FIRST-LAST.tgz, coverage.txt, drift.md,
# idle-halves.md (how far each idle window's halves differed) and steal-signals.md (which steal figure
# follows the engine's TPOT), also when stopped by TERM part way
# (the finished runs only).
# The point: synthetic llama-3.2-1b, f16, batch 16, 32 prompts of 512 + 128 tokens, -wi 1 -i 3 -f 3,
# as in docs/gpu-proof.md (sessions 10, 14); POINT overrides its -p flags, ENGINE the engine (default the
# launched llama-server), SENSOR the profiler (default nvml; e.g. SENSOR=cpu ENGINE=embedded for a dry run
# of this script on any machine, whose figures are an estimate).
set -uo pipefail
n=${1:?how many runs}
out=${2:?where the tar and the tables go}
first=${3:-1}
jar=${BENCH_JAR:-benchmarks/target/benchmarks.jar}
sensor=${SENSOR:-nvml}
engine=${ENGINE:-launch:llama-server;bin=${LLAMA_SERVER:?the llama-server binary to launch, or ENGINE=...}}
point=${POINT:--p model=synthetic:llama-3.2-1b -p quantization=f16 -p batch=16 -p inputTokens=512 -p outputTokens=128 -p prompts=32}
work=${RERUNS_DIR:-/tmp/reruns}
mkdir -p "$out" "$work"
last=$((first + n - 1))
runs=()
here=$(cd "$(dirname "$0")" && pwd)
label=$sensor
[ "$sensor" = cpu ] && label=cpu.estimated
# the tar and the tables of the runs that finished, also where the script is stopped (a device
# call's time limit sends TERM): a run cut short is left out, the ones before it are kept
finish() {
  trap - TERM INT
  [ ${#runs[@]} -gt 0 ] || { echo "no run finished"; return; }
  local names=()
  for r in "${runs[@]}"; do names+=("$(basename "$r")"); done
  # power traces are most of a folder's bytes and are not what this check reads
  tar czf "$out/reruns-$first-$last.tgz" --exclude='power-*.csv' -C "$work" "${names[@]}"
  python3 "$here/rerun_coverage.py" --sensor "$label" "${runs[@]}" | tee "$out/coverage.txt"
  python3 "$here/rerun_drift.py" --sensor "$label" "${runs[@]}" | tee "$out/drift.md"
  python3 "$here/idle_halves.py" "${runs[@]}" | tee "$out/idle-halves.md"
  python3 "$here/steal_signals.py" --sensor "$label" "${runs[@]}" | tee "$out/steal-signals.md"
  du -sh "$out"
}
jpid=
# INT too: a run started with & ignores Ctrl-C in a script, so the handler stops it
stop() { echo "stopped after ${#runs[@]} run(s)"; [ -n "$jpid" ] && kill "$jpid" 2>/dev/null; finish; exit "$1"; }
trap 'stop 143' TERM
trap 'stop 130' INT
for i in $(seq "$first" "$last"); do
  t0=$(date +%s)
  # a folder left by an earlier call would be resumed into, and hold that attempt beside the new one
  # (session 19's r4): each rerun starts in a folder of its own. One with a summary.json finished
  # (an earlier call's reruns:N:FIRST overlapping this one's numbers, session 31), the others stopped.
  if [ -e "$work/r$i" ]; then
    if [ -f "$work/r$i/summary.json" ]; then how=finished; else how=stopped; fi
    mv "$work/r$i" "$work/r$i.$how-$t0"
    echo "run $i: $work/r$i was left by an earlier call's $how run; moved to r$i.$how-$t0"
  fi
  # shellcheck disable=SC2086
  # in the background and waited for, so that a TERM is acted on at once rather than after the run
  java -Dtpb.runDir="$work/r$i" -jar "$jar" TPBSample_02 -prof "$sensor" -p "engine=$engine" \
    $point -wi 1 -i 3 -f 3 > "$work/r$i.console.txt" 2>&1 &
  jpid=$!
  wait "$jpid"
  rc=$?
  jpid=
  echo "run $i: exit $rc in $(( $(date +%s) - t0 )) s"
  cp "$work/r$i.console.txt" "$work/r$i/" 2>/dev/null
  [ -f "$work/r$i/summary.json" ] && runs+=("$work/r$i")
done
finish

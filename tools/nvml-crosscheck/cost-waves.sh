#!/usr/bin/env bash
# The NVML sampler's own CPU for eight GPUs (each real GPU read as eight: replicas=8) at JMH-like
# waves, in the settings docs/gpu-proof.md's "next lease's plan" compares, one after another on one
# machine so that their differences mean something (about 9 minutes on a GPU host):
#   default          the defaults: conditions every 1 s where NVML's hold-back times answer, the
#                    buffer fetched every three quarters of what the driver holds (1.8 s on an H200)
#   aimoff           the defaults with aimReads=off: a boundary's counter read taken at once, not in
#                    the cheap part of the driver's 20 ms cycle (session 29)
#   conditions100ms  the conditions every 100 ms (the pace before session 15)
#   buffer1s         the buffer fetched every second (the period before session 16)
#   waves10s         the defaults at 10 s waves
# Usage: tools/nvml-crosscheck/cost-waves.sh DIR [OUT]
#   DIR: what build.sh gathered (e.g. .device/nvml); OUT: where each setting's full output goes
#   (cost-NAME.txt; default: the current folder). The console gets the per-fork summary lines.
# Environment: ONLY (the settings to run, by name; all four unless set), REPLICAS (8), SECS (30),
#   FORKS (3), EXTRA (more NvmlSamplerCost arguments; e.g.
#   EXTRA="driver=emulated emulatedGpus=8" REPLICAS=1 tries it on a machine without a GPU, where
#   what it prints is an emulation's, not a GPU's).
set -uo pipefail
dir=$1
out=${2:-.}
mkdir -p "$out"
cp="$dir/classes:$dir/jna.jar:$dir/probe"
replicas=${REPLICAS:-8}
secs=${SECS:-30}
forks=${FORKS:-3}
run() {
  local name=$1
  shift
  case " ${ONLY:-default aimoff conditions100ms buffer1s waves10s} " in *" $name "*) ;; *) return ;; esac
  echo "== $name: $*"
  # shellcheck disable=SC2086 # EXTRA is a list of key=value words
  java -cp "$cp" NvmlSamplerCost replicas="$replicas" timeCalls=true $EXTRA "$@" > "$out/cost-$name.txt" 2>&1
  echo "   exit $?"
  grep -E '^fork [0-9]+: (every|of the|buffer|aimReads|[0-9]+ counter reads)|energy counter|buffer fetch|hold-back|clock event|all NVML|^sensor|probe' \
    "$out/cost-$name.txt" | cut -c1-260
}
EXTRA=${EXTRA:-}
run default waves=5s forks="$forks" seconds="$secs"
run aimoff waves=5s forks="$forks" seconds="$secs" aimReads=off
run conditions100ms waves=5s forks="$forks" seconds="$secs" conditionsPeriod=100ms
run buffer1s waves=5s forks="$forks" seconds="$secs" bufferPeriod=1s
run waves10s waves=10s forks=2 seconds=$((secs * 4 / 3))

#!/usr/bin/env bash
# Measures the NVML sampler's own CPU cost at 100 Hz on a GPU machine, idle and under a steady
# torch load, for 1 GPU and for the GPU presented 8 times (the NVML calls of 8 GPUs), with the
# energy counter bracketed every 100 ms, every 1 s, and (counterPeriod=1000s) only at window
# boundaries, all on the dense schedule (the default, auto, would pick boundaries for 8 GPUs).
# Usage: tools/nvml-crosscheck/cost.sh DIR   (DIR: what build.sh gathered; GPU 0 is used)
set -uo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
cp="$dir/classes:$dir/jna.jar:$dir/probe"
cost() { echo "-- $*"; java -cp "$cp" NvmlSamplerCost seconds=8 period=10ms counterSchedule=dense "$@"; }
echo "== idle"
cost counterPeriod=100ms
cost counterPeriod=1s singleReads=false
cost counterPeriod=1000s singleReads=false
echo "== under load (torch bf16 matmuls on GPU 0)"
(echo "load 90"; sleep 95) | python3 "$here/crosscheck.py" --worker --gpu 0 > /dev/null &
load=$!
sleep 10
cost counterPeriod=100ms
cost counterPeriod=1000s singleReads=false
for r in 1 8; do
  for p in 100ms 1s; do
    cost replicas=$r counterPeriod=$p singleReads=false
  done
done
wait $load

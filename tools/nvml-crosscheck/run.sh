#!/usr/bin/env bash
# Runs the whole NVML cross-check on a GPU machine and writes its figures to OUT.
# Usage: tools/nvml-crosscheck/run.sh DIR OUT [extra crosscheck.py arguments]
#   DIR: what build.sh gathered; OUT: a folder for the results.
# Needs java (17+), python3 with torch and pynvml, and nvidia-smi on the PATH.
set -uo pipefail
dir=$1
out=$2
shift 2
cp="$dir/classes:$dir/jna.jar:$dir/probe"
mkdir -p "$out"
{
  echo "== $(date -Is) $(hostname)"
  nvidia-smi
  nvidia-smi -q -d POWER
  java -version 2>&1
  python3 -c 'import torch, pynvml; print("torch", torch.__version__, "pynvml", getattr(pynvml, "__version__", "?"))'
} 2>&1 | tee "$out/env.txt"
PYTHONUNBUFFERED=1 python3 "$dir/crosscheck.py" --classpath "$cp" --out "$out" "$@" 2>&1 | tee "$out/crosscheck.log"
{
  echo "== sampler cost, 1 GPU, 100 Hz"
  java -cp "$cp" NvmlSamplerCost seconds=10 period=10ms
  echo "== sampler cost, the GPU presented 8 times (emulates the NVML calls of 8 GPUs), 100 Hz, the default schedule (boundaries for 8)"
  java -cp "$cp" NvmlSamplerCost seconds=10 period=10ms replicas=8
} 2>&1 | tee "$out/sampler-cost.txt"

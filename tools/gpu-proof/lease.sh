#!/usr/bin/env bash
# One GPU-lease call, from the project root on the device, with what tools/gpu-proof/prepare-device.sh
# put into .device/ (issue #14). Every step past the first is fitted into the call's own limit, so
# that reruns.sh gets its TERM in time to tar and table the runs that finished: a call stopped by
# the device tool's limit brings nothing of a run folder back (session 18 lost its reruns so).
#
# Usage: LIMIT=<the call's limit_s> tools/gpu-proof/lease.sh STEP... with STEP one of
#   build           llama-server with CUDA from .device/src/llama-src.tgz into /tmp/ll (about 6 min)
#   cost            eight GPUs' sampling cost, 5 s waves with aimReads on and off, and 10 s waves
#                   (cost-waves.sh, about 5 min)
#   sweep           a 1B sweep (batch 8 and 64, 64 prompts of 512 + 128 tokens, -wi 1 -i 3 -f 1) beside
#                   counter_log.py, then wave_agreement.py and idle_edges.py on it (about 2 min);
#                   SWEEP_MODEL, SWEEP_BATCH and SWEEP_PROMPTS change the shape (session 24's 8B sweep:
#                   SWEEP_MODEL=synthetic:llama-3.1-8b SWEEP_BATCH=1,16 SWEEP_PROMPTS=16, about 2 min);
#                   SWEEP_PROF the profiler and its options (default nvml; e.g. 'nvml:closeStraddle=off')
#   sweep:SHAPE:STRADDLE  the same with a named shape (1b: batch 8 and 64, 64 prompts; 8b: the 8B
#                   shape, batch 1 and 16, 16 prompts) and closeStraddle on, off or auto; its files are
#                   named sweep-SHAPE-STRADDLE-*, so one call can run several (session 27: the straddle
#                   with and without, shape by shape, in one lease)
#   reruns:N:FIRST  up to N reruns of session 14's point numbered FIRST on, in the time left
#   pinned:N:FIRST:CPUS  the same, with llama-server held to the vCPUs CPUS (taskset -c, e.g. 3 or
#                   2-3): whether the engine's pace belongs to the core it is given (session 25's
#                   change of pace between two forks, docs/gpu-proof.md)
# e.g. LIMIT=600 tools/gpu-proof/lease.sh build reruns:6:1, then LIMIT=600 tools/gpu-proof/lease.sh
# cost reruns:6:5. LIMIT is the smaller of 600 and the device's budget_left_s before the call.
set -uo pipefail
limit=${LIMIT:?the call\'s limit in seconds: the smaller of 600 and the device budget left}
out=${OUT:?run inside a device call, which sets OUT}
start=$(date +%s)
left() { echo $(( limit - 40 - ($(date +%s) - start) )); }
tar xzf .device/jre.tgz -C /tmp 2>/dev/null
export PATH=/tmp/jre/bin:$PATH
server=/tmp/ll/llsrc/build/bin/llama-server
nvidia-smi --query-gpu=name,driver_version,power.limit,temperature.gpu,power.draw --format=csv
# which vCPUs share a core, for the pinned steps (session 26)
lscpu -e > "$out/lscpu.txt" 2>&1 || true
for step in "$@"; do
  case $step in
    build|cost|sweep|sweep:1b:on|sweep:1b:off|sweep:1b:auto|sweep:8b:on|sweep:8b:off|sweep:8b:auto|reruns:*:*|pinned:*:*:*) ;;
    *) echo "unknown step $step: use build, cost, sweep, sweep:1b|8b:on|off|auto, reruns:N:FIRST or pinned:N:FIRST:CPUS"; exit 2 ;;
  esac
done
for step in "$@"; do
  t0=$(date +%s)
  if [ "$step" != build ] && [ "$(left)" -lt 30 ]; then
    echo "$step: skipped, $(left) s left of the call's limit"
    continue
  fi
  case $step in
    build)
      if [ ! -x "$server" ]; then
        mkdir -p /tmp/ll && tar xzf .device/src/llama-src.tgz -C /tmp/ll
        (cd /tmp/ll/llsrc && PATH=$PATH:/usr/local/cuda/bin cmake -B build -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
          -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
          -DLLAMA_OPENSSL=OFF -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1 \
          && cmake --build build --target llama-server -j"$(nproc)" >> "$out/cmake.log" 2>&1)
      fi
      [ -x "$server" ] || { tail -30 "$out/cmake.log"; exit 3; } ;;
    cost)
      ONLY="default aimoff waves10s" SECS=25 FORKS=3 timeout "$(left)" tools/nvml-crosscheck/cost-waves.sh .device/nvml "$out/cost" ;;
    sweep|sweep:*:*)
      [ -x "$server" ] || { echo "no llama-server: run the build step first"; exit 3; }
      name=sweep model=${SWEEP_MODEL:-synthetic:llama-3.2-1b} batch=${SWEEP_BATCH:-8,64} prompts=${SWEEP_PROMPTS:-64} prof=${SWEEP_PROF:-nvml}
      if [ "$step" != sweep ]; then
        IFS=: read -r _ shape straddle <<< "$step"
        name=sweep-$shape-$straddle prof="nvml:closeStraddle=$straddle"
        if [ "$shape" = 8b ]; then model=synthetic:llama-3.1-8b batch=1,16 prompts=16
        else model=synthetic:llama-3.2-1b batch=8,64 prompts=64; fi
      fi
      # a step named twice gets its own files (session 27's second sweep:8b:on wrote over the first's log)
      base=$name n=2
      while [ -e "/tmp/$name" ]; do name=$base-$n n=$((n + 1)); done
      python3 tools/gpu-proof/counter_log.py "$out/$name-clog.csv" & clog=$!
      timeout "$(left)" java -Dtpb.runDir="/tmp/$name" -jar .device/bench.jar TPBSample_02 -prof "$prof" \
        -p "engine=launch:llama-server;bin=$server" -p model="$model" -p quantization=f16 \
        -p batch="$batch" -p inputTokens=512 -p outputTokens=128 -p prompts="$prompts" -wi 1 -i 3 -f 1 > "$out/$name-console.txt" 2>&1
      echo "$step ($prof, $model, batch $batch): exit $?"
      kill "$clog"; wait "$clog" 2>/dev/null
      python3 tools/gpu-proof/wave_agreement.py "$out/$name-clog.csv" "/tmp/$name" | tee "$out/$name-agreement.md"
      python3 tools/gpu-proof/idle_edges.py "/tmp/$name" | tee "$out/$name-idle-edges.md"
      # what the counter on both sides of each edge would give, replayed on the same log (closeStraddle)
      python3 tools/gpu-proof/straddle_replay.py "$out/$name-clog.csv" "/tmp/$name" "$model" \
        | tee "$out/$name-straddle-replay.md"
      # the sensor's learned update grids against the log's updates (session 27: 2.6-8.5 ms early while reads were
      # dated as their calls began)
      python3 tools/gpu-proof/grid_offsets.py "$out/$name-clog.csv" "/tmp/$name" | tee "$out/$name-grid-offsets.md"
      tar czf "$out/$name-run.tgz" --exclude='power-*.csv' -C /tmp "$name"
      # the sensor's traces on their own, so a wave can be replayed through the framework's code afterwards
      # (session 27 could not replay its one bad wave without them); left out past 4 MB (a call brings back 16 MiB a file, and lease-out.tgz holds every sweep)
      (cd /tmp && find "$name" -name 'power-*.csv' -print0 | tar czf "$out/$name-traces.tgz" --null -T -) \
        && [ "$(stat -c %s "$out/$name-traces.tgz")" -le 4000000 ] || rm -f "$out/$name-traces.tgz"
      gzip -f "$out/$name-clog.csv" "$out/$name-clog.csv.buffer.csv" 2>/dev/null ;;
    reruns:*:*|pinned:*:*:*)
      IFS=: read -r kind n first cpus <<< "$step"
      [ -x "$server" ] || { echo "no llama-server: run the build step first"; exit 3; }
      bin=$server
      if [ "$kind" = pinned ]; then
        # the launch preset runs bin with the server's flags (and bin --version): a wrapper holds it to CPUS
        bin=/tmp/llama-server-on-$cpus
        printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$cpus" "$server" > "$bin" && chmod +x "$bin"
        echo "$step: llama-server held to vCPU(s) $cpus"
      fi
      nvidia-smi --query-gpu=timestamp,temperature.gpu,clocks.sm,clocks.mem,power.draw --format=csv,noheader -l 5 \
        > "$out/smi-reruns-$first.csv" &
      smi=$!
      # every vCPU's ticks once a second, steal included: which vCPUs the hypervisor took, beside the
      # framework's per-wave figures (session 20's host-wide steal did not tell its slow runs apart)
      # and the vCPU each llama-server thread last ran on, with its CPU share so far: where the busy
      # thread sat when the pace changed (session 25's change came unpinned)
      while sleep 1; do echo "t $(date +%s.%N)"; grep '^cpu[0-9]' /proc/stat
        ps -C llama-server -L -o tid=,psr=,pcpu= 2>/dev/null | sed 's/^/psr /'; done > "$out/procstat-$first.log" &
      procstat=$!
      BENCH_JAR=.device/bench.jar LLAMA_SERVER=$bin timeout "$(left)" tools/gpu-proof/reruns.sh "$n" "$out/reruns-$first" "$first"
      kill "$smi" "$procstat" ;;
  esac
  echo "$step: $(( $(date +%s) - t0 )) s; $(left) s left"
done
# a call brings back at most 8 files, two folders down (session 24's first call lost its run folder
# and reruns' tables so): past that, one tarball of everything
if [ "$(find "$out" -type f | wc -l)" -gt 8 ]; then
  tar czf /tmp/lease-out.tgz -C "$out" . && rm -rf "${out:?}"/* && mv /tmp/lease-out.tgz "$out/" \
    && echo "more than 8 files: all of them in lease-out.tgz"
fi

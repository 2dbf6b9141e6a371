#!/usr/bin/env bash
# Reads NVML conditions through -prof nvml on an idle GPU and on a loaded one, beside nvidia-smi.
set -u
tar xzf .device/jre.tgz -C /tmp && export PATH=/tmp/jre/bin:$PATH
java -version 2>&1 | head -1
nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv
nvidia-smi --query-gpu=timestamp,temperature.gpu,clocks.sm,clocks_event_reasons.active,power.draw --format=csv,noheader -lms 200 > $OUT/smi.csv &
SMI=$!
run() { # name, extra
  java -Dtpb.runDir=/tmp/$1 -jar .device/bench.jar TPBSample_01 -prof nvml:period=10ms -f 1 -wi 0 -i 3 \
    -p prompts=16 -jvmArgsAppend -Dtpb.idleSeconds=1 > /tmp/$1.log 2>&1
  echo "$1 exit $?"
  grep -E "nvml\.(throttled|maxTemperature|smClock|avgPower|energy) |throttled during|idle baseline" /tmp/$1.log | head -20
}
date +%s.%N; run idle; date +%s.%N
# a GPU load: bf16 matrix products for ~60 s, to push the GPU to its power limit
python3 - <<'PY' > /tmp/load.log 2>&1 &
import torch, time
a = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16); b = torch.randn_like(a)
t = time.time()
while time.time() - t < 60:
    for _ in range(20): c = a @ b
    torch.cuda.synchronize()
print('load done', time.time() - t)
PY
LOAD=$!
sleep 8
date +%s.%N; run loaded; date +%s.%N
wait $LOAD; cat /tmp/load.log
kill $SMI
for r in idle loaded; do
  cat /tmp/$r/conditions.jsonl > $OUT/$r-conditions.jsonl 2>/dev/null
  grep '"kind":"energy"' /tmp/$r/iterations.jsonl | head -5 > $OUT/$r-energy.jsonl
  cp /tmp/$r.log $OUT/$r.log
done
cp /tmp/idle/sensors.jsonl $OUT/sensors.jsonl
ls -la $OUT

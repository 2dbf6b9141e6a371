#!/usr/bin/env bash
# Gathers what the cross-check needs into one folder that can travel to a GPU machine:
# the framework's compiled classes, the JNA jar, and NvmlWindowProbe and NvmlSamplerCost compiled
# against them (the project's own tools, kept out of the framework's jar).
# Usage, from anywhere in the project, after `./mvnw -pl framework compile`:
#   tools/nvml-crosscheck/build.sh [DIR]        (DIR defaults to .device/nvml, git-ignored)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
dir=${1:-.device/nvml}
jna=${JNA_JAR:-$HOME/.m2/repository/net/java/dev/jna/jna/5.15.0/jna-5.15.0.jar}
if [ ! -f framework/target/classes/org/tokenpowerbench/power/nvml/NvmlSensor.class ]; then
  echo "framework classes missing: run ./mvnw -pl framework compile first" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/probe"
cp -r framework/target/classes "$dir/classes"
cp "$jna" "$dir/jna.jar"
javac --release 17 -d "$dir/probe" -cp "$dir/classes" tools/nvml-crosscheck/NvmlWindowProbe.java \
  tools/nvml-crosscheck/NvmlSamplerCost.java tools/nvml-crosscheck/NvmlWaveCheck.java \
  tools/nvml-crosscheck/NvmlEnergyFieldProbe.java tools/nvml-crosscheck/NvmlFieldSurvey.java tools/nvml-crosscheck/EmulatedNvml.java tools/nvml-crosscheck/TimedNvml.java tools/nvml-crosscheck/ForwardingNvml.java tools/nvml-crosscheck/ThreadCpuByName.java
cp tools/nvml-crosscheck/crosscheck.py tools/nvml-crosscheck/wavecheck.py tools/nvml-crosscheck/steppedload.py \
  tools/nvml-crosscheck/power_samples_probe.py tools/nvml-crosscheck/run.sh "$dir/"
du -sh "$dir"

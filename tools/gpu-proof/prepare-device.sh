#!/usr/bin/env bash
# Gathers what a GPU lease needs into .device/ (git-ignored; the device tool carries it, 64 MiB at
# most), so that a lease's first call can start measuring:
#   .device/jre.tgz        a Java runtime for the device, which has none (../shared/tools/device-jre.sh)
#   .device/bench.jar      benchmarks.jar without the native libraries of other platforms (about 20 MB)
#   .device/nvml/          the NVML cross-check and cost tools (tools/nvml-crosscheck/build.sh)
#   .device/src/llama-src.tgz  llama.cpp's source at one commit, to build llama-server with CUDA there
#   .device/BUILT_FROM     the commit these were built from
# Usage, from the project root, after ./mvnw -q -B package -DskipTests:
#   tools/gpu-proof/prepare-device.sh [LLAMA_GIT_DIR [LLAMA_COMMIT]]
# LLAMA_GIT_DIR is a bare clone of llama.cpp (e.g. what the fetch tool brings: /work/.mirror/<owner>+llama.cpp/repo);
# without it the source is left as it is. Blobs the clone lacks (large model files) are skipped, as are
# models/, docs/, media/, .github/ and .devops/, which a build does not need.
# On the device (CUDA 12+, sm_90), llama-server builds in about 6 minutes:
#   mkdir -p /tmp/ll && tar xzf .device/src/llama-src.tgz -C /tmp/ll && cd /tmp/ll/llsrc && PATH=$PATH:/usr/local/cuda/bin \
#   cmake -B build -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
#     -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DCMAKE_BUILD_TYPE=Release \
#   && cmake --build build --target llama-server -j16
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
mkdir -p .device
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "$jar is missing: run ./mvnw -q -B package -DskipTests first" >&2; exit 1; }

if [ ! -f .device/jre.tgz ]; then
  ../shared/tools/device-jre.sh
fi

# the jar's natives for Linux x86-64 only: JNA's, llama.cpp's (de.kherud), and the others' linux-x86_64 builds
cp "$jar" .device/bench.jar
unzip -Z1 .device/bench.jar | grep -E '\.(so|dll|dylib|jnilib)$' \
  | grep -vE '^(com/sun/jna/linux-x86-64/|de/kherud/llama/Linux/x86_64/|native/lib/linux-x86_64/)' \
  | xargs -r -n 200 zip -q -d .device/bench.jar || true

tools/nvml-crosscheck/build.sh .device/nvml > /dev/null

if [ $# -ge 1 ]; then
  git_dir=$1
  commit=${2:-HEAD}
  mkdir -p .device/src
  python3 - "$git_dir" "$commit" .device/src/llama-src.tgz <<'PY'
import io, subprocess, sys, tarfile
git_dir, commit, out = sys.argv[1:4]
listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
                         check=True, capture_output=True).stdout.split(b"\0")
skip = (b"models/", b"docs/", b"media/", b".github/", b".devops/")
kept = missing = 0
with tarfile.open(out, "w:gz") as tar:
    for entry in listing:
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind != b"blob" or path.startswith(skip):
            continue
        blob = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "blob", sha.decode()], capture_output=True)
        if blob.returncode != 0:
            missing += 1
            continue
        info = tarfile.TarInfo("llsrc/" + path.decode())
        info.size = len(blob.stdout)
        info.mode = 0o755 if mode == b"100755" else 0o644
        if mode == b"120000":
            info.type = tarfile.SYMTYPE
            info.linkname = blob.stdout.decode()
            info.size = 0
            tar.addfile(info)
        else:
            tar.addfile(info, io.BytesIO(blob.stdout))
        kept += 1
print("llama.cpp %s: %d files kept, %d blobs missing from the clone (skipped)" % (commit, kept, missing))
PY
fi

git rev-parse --short HEAD > .device/BUILT_FROM
git status --porcelain | grep -q . && echo "+ uncommitted changes" >> .device/BUILT_FROM
du -sh .device/jre.tgz .device/bench.jar .device/nvml .device/src 2>/dev/null
total=$(du -sbc .device/jre.tgz .device/bench.jar .device/nvml .device/src 2>/dev/null | tail -1 | cut -f1)
echo "carried: $((total / 1024 / 1024)) MiB of the 64 allowed"

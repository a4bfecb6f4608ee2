#!/usr/bin/env bash
# Clang's thread-safety analysis over the server's and the libraries' sources: every member
# GUARDED_BY a mutex (base/thread_annotations.h) must be touched with that mutex held. Only
# parses (-fsyntax-only): nothing is built. Exits non-zero on the first warning.
#   scripts/thread-safety.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ > /dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang > /dev/null
  else
    echo "thread-safety: clang is needed (apt-get install clang)" >&2; exit 1
  fi
fi
CC=clang CXX=clang++ cmake -S . -B build-tsa -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DPERCEPT_BUILD_TESTS=OFF > build-tsa.configure.log 2>&1 ||
  { cat build-tsa.configure.log; exit 1; }
rm -f build-tsa.configure.log
# Each source of base/ and server/ as CMake would compile it, parsed only, with the analysis on.
rm -rf build-tsa/parse && mkdir build-tsa/parse
python3 - "$PWD" <<'PY'
import json, shlex, sys
root = sys.argv[1]
n = 0
for entry in json.load(open("build-tsa/compile_commands.json")):
    source = entry["file"]
    if not (source.startswith(root + "/base/") or source.startswith(root + "/server/")):
        continue
    args = shlex.split(entry["command"])
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        out.append("-fsyntax-only" if a == "-c" else a)
    out += ["-Wthread-safety", "-Werror=thread-safety"]
    n += 1
    with open("build-tsa/parse/%03d.sh" % n, "w") as f:
        f.write("cd " + shlex.quote(entry["directory"]) + " && " +
                " ".join(shlex.quote(a) for a in out) + "\n")
PY
# The check must fail where it should: a fixture with an unguarded read and an unlocked call.
fixture=tests/thread_safety/unguarded.cc
if clang++ -std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety -Ibase/include \
     "$fixture" 2> build-tsa/fixture.log; then
  echo "thread-safety: $fixture was not refused: the analysis is not running" >&2; exit 1
fi
refused=$(grep -c "error: .*requires holding mutex\|error: calling function 'Bump' requires" \
          build-tsa/fixture.log || true)
[ "$refused" -ge 2 ] || { cat build-tsa/fixture.log; echo "thread-safety: fixture refused for another reason" >&2; exit 1; }
count=$(ls build-tsa/parse | wc -l)
ls build-tsa/parse/*.sh | xargs -P "$(nproc)" -n 1 bash
echo "thread-safety: $count sources parsed, no warning"

#!/usr/bin/env bash
# 运行全部基准测试并打印数据 / run every benchmark and print its figures.
# Usage: bench/run.sh [name ...]   (names: parse, archive, crawl, formats; default: all present)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/bench_*.py; do names+=("$(basename "$f" .py | sed 's/^bench_//')"); done
fi
for n in "${names[@]}"; do
  echo "=== bench_${n} ==="
  .venv/bin/python "bench/bench_${n}.py"
  echo
done

#!/usr/bin/env bash
# 一次性安装 / one-step setup: Debian packages, the uv package manager, and the locked
# Python environment in .venv (uv.lock). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
PY=${PYTHON:-python3}
if ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "==> 安装 uv / installing uv"
  "$PY" -m pip install --quiet "uv==0.13.9"
fi
echo "==> 同步 Python 环境 / syncing the locked Python environment (.venv)"
"$PY" -m uv sync --frozen --quiet --python "$("$PY" -c 'import sys; print(sys.executable)')"

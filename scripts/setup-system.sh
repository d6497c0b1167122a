#!/usr/bin/env bash
# Installs the Debian packages the archive uses (browser, Redis, office converter, OCR, fonts).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk redis-server libreoffice-writer-nogui libreoffice-calc-nogui tesseract-ocr
          tesseract-ocr-chi-sim antiword poppler-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "==> 安装系统软件包 / installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Installs everything imr needs on a fresh machine: the package with its test tools, Debian's
# Chromium for the browser tests (no browser download: Playwright drives /usr/bin/chromium), and
# Debian's Tesseract with its English and orientation data for reading scanned packets (`imr intake`).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "install.sh: could not install chromium; browser tests will be skipped" >&2
fi
if ! [ -f /usr/share/tesseract-ocr/5/tessdata/eng.traineddata ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd >/dev/null) \
    || echo "install.sh: could not install tesseract-ocr; scanned pages will not be read" >&2
fi
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true

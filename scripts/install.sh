#!/usr/bin/env bash
# Installs everything imr needs on a fresh machine: the package with its test tools, and Debian's
# Chromium for the browser tests (no browser download: Playwright drives /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "install.sh: could not install chromium; browser tests will be skipped" >&2
fi
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true

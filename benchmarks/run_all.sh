#!/usr/bin/env bash
# Every benchmark at the size its issue names, one after another (each prints its own figures).
# Run on an otherwise idle machine: the figures are per core and a busy machine lowers the wall rates.
#   bash benchmarks/run_all.sh            # everything (the corpus ingest of 100,000 letters takes a while)
#   bash benchmarks/run_all.sh --quick    # smaller sizes, a few minutes in all
set -uo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
run() { echo; echo "=== python benchmarks/$*"; python "benchmarks/$@" || echo "!!! benchmarks/$1 exited $?"; }
run bench_letters.py $([ "$quick" = --quick ] && echo "--letters 2000 --pdf-rounds 1")
run bench_items.py
run bench_render.py
run bench_clinical.py
run bench_review.py
run bench_packets.py $([ "$quick" = --quick ] && echo "--typed 50 --scanned 1 --pages 300")
run bench_pages.py $([ "$quick" = --quick ] && echo "--cases 100 --repeat 3")
run redaction_recall.py
run request_cost.py $([ "$quick" = --quick ] && echo "--requests 50")
run load_api.py $([ "$quick" = --quick ] && echo "--seconds 10 --clients 50")
run load_api.py --think 0 $([ "$quick" = --quick ] && echo "--seconds 10 --clients 50")
run bench_corpus.py $([ "$quick" = --quick ] && echo "--letters 10000")

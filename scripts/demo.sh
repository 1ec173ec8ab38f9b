#!/usr/bin/env bash
# The main job on the embedded default: index the invented demo collection into a local
# directory (no server), then trace the laundered demo copy and print its source and passages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
index="${UNSPIN_DEMO_INDEX:-demo-index}"
.venv/bin/unspin index examples/demo/collection --index "$index"
.venv/bin/unspin trace examples/demo/laundered.txt --index "$index" --html demo-report.html
echo "HTML report written to demo-report.html"

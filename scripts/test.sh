#!/usr/bin/env bash
# Install unspin with its test tools, run the linters, the type checker and the whole test
# suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test,web,spark
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"

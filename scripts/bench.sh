#!/usr/bin/env bash
# Reproduces the performance figures in README.md (section "Performance"):
# builds the release binary, then runs the whole-process and the catalog benchmarks.
# Extra arguments go to both benches, e.g. `scripts/bench.sh --check` exits non-zero when a
# target is missed. AKS_ID_BENCH_ITERATIONS overrides the iteration counts.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
cargo bench --bench process -- "$@"
cargo bench --bench catalog -- "$@"

#!/usr/bin/env bash
# Reproduces the performance figures in README.md (section "Performance"): builds the release
# binary, copies it aside (a later `cargo bench` rebuilds target/release/aks-id with the features
# the dev-dependencies unify in, which is not the binary users get), then runs the whole-process,
# catalog and scan benchmarks on it. Extra arguments go to every bench, e.g.
# `scripts/bench.sh --check` exits non-zero when a target is missed. AKS_ID_BENCH_ITERATIONS
# overrides the iteration counts; AKS_ID_BENCH_SIZES the scan corpus sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/bench-bin"
cp "$target/release/aks-id" "$target/bench-bin/aks-id"
export AKS_ID_BIN="$PWD/$target/bench-bin/aks-id"
[[ $target = /* ]] && export AKS_ID_BIN="$target/bench-bin/aks-id"
cargo bench --bench process -- "$@"
cargo bench --bench catalog -- "$@"
cargo bench --bench scan -- "$@"

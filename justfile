# ratebench task runner. `just --list` shows every recipe.
# Without just, each recipe's body is the plain cargo command to run.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# The main job: criterion benches, every claim, the default suite, the report (results/latest/report/index.html).
bench-all:
    cargo bench --benches -- --noplot
    cargo run --release -- bench-all --out results/latest
    cargo run --release -- kernels

# Check rate claims, e.g. `just check LR-1 --set 'kappa=[10,100]'`.
check *ARGS:
    cargo run --release -- check {{ARGS}}

# The test command CI runs.
test:
    cargo test --workspace

# Render the report of a results directory.
report DIR="results/latest":
    cargo run --release -- report {{DIR}}

# Compare two results directories (exit 1 on a regression).
compare BASE NEW *ARGS:
    cargo run --release -- compare {{BASE}} {{NEW}} {{ARGS}}

# Criterion benches (per-iteration kernels beside their machine references) and the ratio table.
bench *ARGS:
    cargo bench --benches -- --noplot {{ARGS}}
    cargo run --release -- kernels

# Regenerate the committed CI baseline (after an intended change in iteration counts).
baseline:
    cargo run --release -- check --quick --out reports/baseline

# What CI runs.
ci:
    bash .ci/run

# Format all crates.
fmt:
    cargo fmt --all

# Clippy, warnings are errors.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

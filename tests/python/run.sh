#!/usr/bin/env bash
# Runs the zhmcclient compatibility tests (tests/python) against mock-hmc.
#
#   tests/python/run.sh [extra pytest arguments]
#
# Creates a venv at target/pyvenv (override: MOCK_HMC_PYVENV) with
# zhmcclient 1.26, zhmccli 1.15, zhmc-prometheus-exporter 2.4, pytest and pytest-xdist when missing, builds the mock-hmc binary
# (skipped when MOCK_HMC_BIN names an existing file), then runs pytest -q.
# Exit code: pytest's; "no tests collected" (5) counts as a failure too.
# Environment: PYTHON (interpreter for the venv, default python3).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

venv="${MOCK_HMC_PYVENV:-$repo/target/pyvenv}"
python="${PYTHON:-python3}"
requirements=("zhmcclient==1.26.*" "zhmccli==1.15.*" "pytest" "pytest-xdist" "zhmc-prometheus-exporter==2.4.*")

venv_ok() {
    [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import pip' >/dev/null 2>&1
}

if ! venv_ok; then
    echo "run.sh: creating venv $venv with $("$python" --version 2>&1)"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! "$python" -m venv "$venv" || ! venv_ok; then
        rm -rf "$venv"
        echo "run.sh: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

# Install only when the pinned packages are not there yet (fast reruns).
if ! "$venv/bin/python" - <<'PY' >/dev/null 2>&1
import importlib.metadata as md
assert md.version("zhmcclient").startswith("1.26.")
assert md.version("zhmccli").startswith("1.15.")
md.version("pytest")
md.version("pytest-xdist")
md.version("requests")
assert md.version("zhmc-prometheus-exporter").startswith("2.4.")
PY
then
    echo "run.sh: installing ${requirements[*]} into $venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet "${requirements[@]}"
fi

if [[ -n "${MOCK_HMC_BIN:-}" && -x "${MOCK_HMC_BIN}" ]]; then
    echo "run.sh: using MOCK_HMC_BIN=$MOCK_HMC_BIN"
else
    cargo build --bin mock-hmc
    target_dir="${CARGO_TARGET_DIR:-$repo/target}"
    [[ "$target_dir" = /* ]] || target_dir="$repo/$target_dir"
    export MOCK_HMC_BIN="$target_dir/debug/mock-hmc"
fi

# REQUESTS_CA_BUNDLE would override verify=False on requests.Session objects
# (docs: /work/shared/stack.md gotcha 5); the server's cert is self-signed.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "run.sh: pytest collected no tests; treating that as a failure" >&2
fi
exit "$status"

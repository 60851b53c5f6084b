#!/usr/bin/env bash
# Builds the mock_hmc Python package into the test venv and tests it:
#
#   tests/python_package/run.sh [extra pytest arguments]
#
# 1. `maturin develop` (debug build; MOCK_HMC_PY_RELEASE=1 for --release)
#    into target/pyvenv (override: MOCK_HMC_PYVENV), which
#    tests/python/run.sh creates; maturin itself comes from PyPI.
# 2. pytest tests/python_package (the package's own tests).
# 3. A subset of the zhmcclient compatibility tests (tests/python) again,
#    with MOCK_HMC_IN_PROCESS=1: their `session` is a mock_hmc.Session on
#    the served db instead of zhmcclient over HTTPS.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
venv="${MOCK_HMC_PYVENV:-$repo/target/pyvenv}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "run.sh: no venv at $venv (tests/python/run.sh creates it)" >&2
    exit 1
fi
if ! "$venv/bin/python" -c 'import maturin' >/dev/null 2>&1; then
    echo "run.sh: installing maturin into $venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet "maturin>=1.9,<2"
fi

profile=()
[[ "${MOCK_HMC_PY_RELEASE:-}" == 1 ]] && profile=(--release)
t0=$SECONDS
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$venv/bin/maturin" develop --quiet "${profile[@]}"
echo "run.sh: built and installed mock_hmc in $((SECONDS - t0))s"

unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python_package "$@" || status=$?
if [[ $status -ne 0 ]]; then
    [[ $status -eq 5 ]] && echo "run.sh: pytest collected no tests" >&2
    exit "$status"
fi

# The files whose tests take their session from conftest's make_session,
# less three that read the sessions table with Python's sqlite3 module:
# that must not open a db this process has open through mock_hmc (two
# SQLite libraries in one process drop each other's locks; README).
MOCK_HMC_IN_PROCESS=1 tests/python/run.sh \
    --ignore=tests/python/test_dpm_workflow.py \
    --ignore=tests/python/test_metrics.py \
    --ignore=tests/python/test_notifications.py \
    --ignore=tests/python/test_zhmccli_demo.py \
    --deselect tests/python/test_zhmcclient_compat.py::test_two_logons_give_distinct_sessions_stored_in_db \
    --deselect tests/python/test_zhmcclient_compat.py::test_logged_off_session_is_rejected_with_reason_5 \
    --deselect tests/python/test_zhmcclient_compat.py::test_wrong_password_is_rejected \
    "$@"

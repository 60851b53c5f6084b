"""The `mock-hmc` console script: the Rust CLI run by the package."""

import signal
import subprocess
import sys

import zhmcclient

import mock_hmc
from conftest import EXAMPLES, MOCK_HMC, PASSWORD, USERID, cli, serving


def test_console_script_is_on_path_and_prints_its_version():
    assert MOCK_HMC.is_file()
    out = cli("--version").stdout
    assert out.startswith("mock-hmc ")


def test_usage_errors_exit_2_without_ending_the_host_process():
    proc = cli("--no-such-flag", check=False)
    assert proc.returncode == 2
    assert "--no-such-flag" in proc.stderr
    # In-process too: the exit code comes back instead of an exit.
    code = subprocess.run(
        [sys.executable, "-c",
         "import mock_hmc._native as n, sys;"
         "print('rc', n.run_cli(['mock-hmc', 'no-such-command']));"
         "print('still here')"],
        capture_output=True, text=True, timeout=60, check=False)
    assert "rc 2" in code.stdout and "still here" in code.stdout


def test_load_then_session_on_the_loaded_db(tmp_path):
    db = tmp_path / "hmc.sqlite"
    out = cli("--db", db, "load", EXAMPLES / "example_mocked_z16_dpm.yaml",
              "--user", "alice:secret").stdout
    assert "loaded" in out
    sess = mock_hmc.Session(db, "alice", "secret")
    assert [c.name for c in zhmcclient.Client(sess).cpcs.list()] == ["CPC1"]
    sess.logoff()
    failed = cli("--db", db, "load", EXAMPLES / "example_mocked_z16_dpm.yaml",
                 check=False)
    assert failed.returncode == 1 and "already holds an HMC" in failed.stderr


def test_serve_answers_https_and_stops_on_ctrl_c(db, tmp_path):
    with serving(db, tmp_path) as (proc, port):
        https = zhmcclient.Session("127.0.0.1", USERID, PASSWORD, port=port,
                                   verify_cert=False)
        assert zhmcclient.Client(https).cpcs.find(name="DPM1")
        https.logoff()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "mock_hmc.cli", "routes"],
                          capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0
    assert "/api/partitions/{partition-id}" in proc.stdout

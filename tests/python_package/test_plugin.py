"""The mock-hmc pytest plugin, run in pytests of its own (subprocesses):
the fixtures, one `hmc_server` shared by the xdist workers of a `-n 2`
run, `-p mock_hmc` with and without plugin autoloading, the definition
option, ini setting and marker, the requests a failing test sent, and
zhmcclient.testutils' own `hmc_session` left alone in its end2end mode."""

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLE_DIR = HERE / "plugin_example"
EXAMPLES = HERE / "examples"


def run_pytest(args, cwd=EXAMPLE_DIR, env=None, python=sys.executable):
    base = {k: v for k, v in os.environ.items()
            if k not in ("TESTEND2END_LOAD", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
                         "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    base.update(env or {})
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd, env=base, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=600, check=False)


def listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_xdist_workers_share_one_server_stopped_at_the_end(tmp_path):
    # --dist each: every worker runs every test, so both need the server.
    done = run_pytest(["-p", "mock_hmc", "-n", "2", "--dist", "each", "-q",
                       "hmc_example.py"],
                      env={"MOCK_HMC_EXAMPLE_OUT": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "26 passed" in done.stdout, done.stdout
    records = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert len(records) == 12
    assert {r["worker"] for r in records} == {"gw0", "gw1"}
    [port] = {r["port"] for r in records}
    assert not listening(port), "the shared server outlived the run"


def test_p_mock_hmc_with_plugin_autoload_disabled():
    # Only the plugins named load: -p mock_hmc finds the entry point.
    done = run_pytest(["-p", "mock_hmc", "-p", "xdist", "-n", "2", "-q",
                       "hmc_example.py"],
                      env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "13 passed" in done.stdout, done.stdout


def test_a_failing_test_shows_the_requests_it_sent():
    done = run_pytest(["-q", "hmc_failing_example.py"])
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "mock-hmc requests (last 20)" in out, out
    assert "POST /api/sessions" in out and "********" in out, out
    assert "GET /api/cpcs?name=DPM1" in out or "GET /api/cpcs" in out, out
    assert "-> 200" in out, out


def test_definition_option_ini_and_default(tmp_path):
    shutil.copy(EXAMPLES / "example_mocked_z16_dpm.yaml", tmp_path / "dpm.yaml")
    shutil.copy(EXAMPLES / "example_mocked_z16_classic.yaml",
                tmp_path / "classic.yaml")
    (tmp_path / "pytest.ini").write_text("[pytest]\nhmc_definition = dpm.yaml\n")
    (tmp_path / "test_defs.py").write_text(textwrap.dedent('''
        import os

        def test_cpcs(hmc_client):
            cpc = hmc_client.cpcs.find(name="CPC1")
            assert cpc.dpm_enabled == (os.environ["EXPECT"] == "dpm")

        def test_no_fixture_no_hmc():
            pass
    '''))
    done = run_pytest(["-q", "test_defs.py"], cwd=tmp_path,
                      env={"EXPECT": "dpm"})
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_pytest(["-q", "--hmc-definition", "classic.yaml",
                       "test_defs.py"], cwd=tmp_path,
                      env={"EXPECT": "classic"})
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_pytest(["-q", "--hmc-definition", "missing.yaml",
                       "test_defs.py"], cwd=tmp_path, env={"EXPECT": "x"})
    assert done.returncode != 0
    assert "no HMC definition file" in done.stdout + done.stderr


def test_tests_do_not_keep_their_dbs_open(tmp_path):
    # Each test's fork is closed after it: open files stay flat.
    (tmp_path / "test_many.py").write_text(textwrap.dedent('''
        import os
        import pytest

        COUNTS = []

        @pytest.mark.parametrize("n", range(40))
        def test_one(hmc_client, n):
            hmc_client.cpcs.find(name="DPM1").partitions.list()
            COUNTS.append(len(os.listdir("/proc/self/fd")))

        def test_flat():
            assert COUNTS[-1] - COUNTS[4] < 10, COUNTS
    '''))
    done = run_pytest(["-q", "test_many.py"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "41 passed" in done.stdout


def test_zhmcclient_end2end_mode_keeps_its_own_hmc_session(tmp_path):
    shutil.copy(EXAMPLES / "example_mocked_z16_dpm.yaml", tmp_path / "dpm.yaml")
    (tmp_path / "inventory.yaml").write_text(textwrap.dedent('''
        all:
          hosts:
            MOCKED_DPM:
              mock_file: dpm.yaml
          children:
            default:
              hosts:
                MOCKED_DPM:
    '''))
    (tmp_path / "vault.yaml").write_text(textwrap.dedent('''
        hmc_auth:
          MOCKED_DPM:
            userid: dummy
            password: dummy
    '''))
    (tmp_path / "test_e2e.py").write_text(textwrap.dedent('''
        import zhmcclient.mock
        import mock_hmc

        def test_sessions(hmc_session, mock_hmc_session):
            assert isinstance(hmc_session, zhmcclient.mock.FakedSession)
            assert hmc_session.hmc_definition.nickname == "MOCKED_DPM"
            assert isinstance(mock_hmc_session, mock_hmc.Session)
    '''))
    done = run_pytest(["-q", "test_e2e.py"], cwd=tmp_path, env={
        "TESTEND2END_LOAD": "true",
        "TESTINVENTORY": str(tmp_path / "inventory.yaml"),
        "TESTVAULT": str(tmp_path / "vault.yaml")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_pip_install_then_pytest_n_2_in_a_fresh_venv(tmp_path):
    """Done-when 3 of issue 12: `pip install .` into a new venv, then
    `pytest -p mock_hmc -n 2` on the example file. The wheel is built with
    the dev profile (MATURIN_PEP517_ARGS), reusing the build artifacts of
    the checkout, so this costs seconds, not a release build."""
    repo = HERE.parents[1]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = dict(os.environ, MATURIN_PEP517_ARGS="--profile dev",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    for args in ([str(repo)], ["pytest", "pytest-xdist"]):
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *args], env=env,
            capture_output=True, text=True, timeout=900, check=False,
            stdin=subprocess.DEVNULL)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    done = run_pytest(["-p", "mock_hmc", "-n", "2", "-q", "hmc_example.py"],
                      python=python)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "13 passed" in done.stdout, done.stdout
    assert (venv / "bin" / "mock-hmc").is_file()


@pytest.fixture
def tagged(hmc_session, request):
    return hmc_session.headers["X-Mock-Test-Id"] == request.node.nodeid


def test_fixtures_in_this_run(hmc_db, hmc_session, hmc_client, tagged):
    # The plugin is loaded in this run too (installed with the package).
    assert tagged
    assert hmc_db.is_file() and hmc_session.db_path == str(hmc_db)
    assert {c.name for c in hmc_client.cpcs.list()} == {"DPM1", "CLASSIC1"}

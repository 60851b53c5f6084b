"""Fixtures for the tests of the mock_hmc Python package (installed into
the test venv by scripts/test: `maturin develop` or `pip install .`).

`db` is a fresh db file with the default HMC; `session` a logged-on
`mock_hmc.Session` on it; `serve` runs the console script's `mock-hmc
serve` on a db, for comparing with the real zhmcclient over HTTPS.
"""

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import urllib3
import zhmcclient

import mock_hmc

USERID = "ensadmin"
PASSWORD = "password"
EXAMPLES = pathlib.Path(__file__).resolve().parent / "examples"
# The console script `pip install` put beside this interpreter.
MOCK_HMC = pathlib.Path(sys.executable).parent / "mock-hmc"
PART = {"initial-memory": 1024, "maximum-memory": 2048, "ifl-processors": 1}

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def cli(*args, check=True, **kwargs):
    """Runs the `mock-hmc` console script; returns the CompletedProcess."""
    proc = subprocess.run([str(MOCK_HMC), *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False, **kwargs)
    if check and proc.returncode != 0:
        pytest.fail(f"mock-hmc {' '.join(map(str, args))} exited "
                    f"{proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def db(tmp_path):
    """A new db file holding the default HMC."""
    path = tmp_path / "hmc.sqlite"
    cli("--db", path, "init")
    return path


@pytest.fixture
def session(db):
    sess = mock_hmc.Session(db, USERID, PASSWORD)
    sess.logon()
    yield sess
    sess.logoff()


@pytest.fixture
def client(session):
    return zhmcclient.Client(session)


@pytest.fixture
def dpm_cpc(client):
    return client.cpcs.find(name="DPM1")


@contextlib.contextmanager
def serving(db, tmp_path):
    """`mock-hmc serve` (the console script) on `db`; yields its port."""
    port_file = tmp_path / "port"
    log = open(tmp_path / "serve.log", "wb")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(MOCK_HMC), "--db", str(db), "serve", "--port", "0",
         "--port-file", str(port_file), "--no-stomp"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mock-hmc serve did not start: "
                            + (tmp_path / "serve.log").read_text())
            time.sleep(0.05)
        yield proc, int(port_file.read_text().strip())
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@pytest.fixture
def served(db, tmp_path):
    """(in-process Session, HTTPS zhmcclient Session) on one db."""
    with serving(db, tmp_path) as (_, port):
        inproc = mock_hmc.Session(db, USERID, PASSWORD)
        https = zhmcclient.Session("127.0.0.1", USERID, PASSWORD, port=port,
                                   verify_cert=False)
        yield inproc, https
        inproc.logoff()
        https.logoff()


def child_python(code, *args):
    """Runs `code` in a new Python process (another OS process using the
    package); returns its stdout."""
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def pytest_configure(config):
    # The HTTPS comparisons pass verify_cert=False (self-signed server).
    config.addinivalue_line(
        "filterwarnings",
        "ignore::urllib3.exceptions.InsecureRequestWarning")

"""Fixtures for the zhmcclient compatibility tests of mock-hmc.

One `mock-hmc serve` process (HTTPS, self-signed cert, port 0) on a fresh
temporary SQLite file is shared by the whole test session. The binary is
taken from $MOCK_HMC_BIN, default <repo>/target/debug/mock-hmc.
"""

import collections
import contextlib
import os
import pathlib
import random
import signal
import socket
import subprocess
import time
import uuid

import pytest
import urllib3
import zhmcclient

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "target" / "debug" / "mock-hmc"
HOST = "127.0.0.1"
USERID = "ensadmin"
PASSWORD = "password"
START_TIMEOUT = 30.0  # seconds to wait for the port file

# The server's certificate is self-signed; every request passes verify=False.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    # zhmcclient passes verify_cert=False on each request; keep the output
    # free of urllib3's warning about it (it may reset warning filters).
    config.addinivalue_line(
        "filterwarnings",
        "ignore::urllib3.exceptions.InsecureRequestWarning")


# The README's recipe has its own conftest; test_fixture.py runs it under
# pytest-xdist in a pytest of its own.
collect_ignore = ["recipe"]

MockHmc = collections.namedtuple("MockHmc", ["host", "port", "db"])


def _read_port(port_file):
    try:
        text = port_file.read_text().strip()
    except FileNotFoundError:
        return None
    if not text.isdigit() or int(text) == 0:
        return None  # not (completely) written yet
    return int(text)


@contextlib.contextmanager
def serve(tmp, definition=None, host=HOST, port=0, args=(), db=None):
    """Run `mock-hmc serve --port 0` on a new db in directory `tmp`, first
    loading the definition file `definition` if given; yield (host, port, db).
    `host`/`port` choose the address (tools built on zhmcclient need 6794 on
    some 127.x.y.z); `args` are more serve options; `db` serves an existing
    db file (shared with another server) instead of a new one."""
    binary = pathlib.Path(os.environ.get("MOCK_HMC_BIN", str(DEFAULT_BIN)))
    if not binary.is_file():
        pytest.fail(f"mock-hmc binary not found: {binary} "
                    "(run `cargo build --bin mock-hmc` or set MOCK_HMC_BIN)")
    db = db or tmp / "hmc.sqlite"
    port_file = tmp / "port"
    log_path = tmp / "server.log"
    if definition is not None:
        loaded = subprocess.run(
            [str(binary), "--db", str(db), "load", str(definition)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            check=False)
        if loaded.returncode != 0:
            pytest.fail(f"mock-hmc load {definition} failed: {loaded.stderr}")
    log = open(log_path, "wb")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(binary), "--db", str(db), "serve", "--listen", host,
         "--port", str(port), "--port-file", str(port_file), *args],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        port = None
        while port is None:
            if proc.poll() is not None:
                pytest.fail(f"mock-hmc exited with {proc.returncode} before "
                            f"writing its port:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"mock-hmc wrote no port file within "
                            f"{START_TIMEOUT}s:\n{log_path.read_text()}")
            time.sleep(0.05)
            port = _read_port(port_file)
        yield MockHmc(host, port, db)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@pytest.fixture(scope="session")
def mock_hmc(tmp_path_factory):
    """mock-hmc serving the embedded default HMC, shared by the session."""
    with serve(tmp_path_factory.mktemp("mock-hmc")) as mock:
        yield mock


def free_loopback_host():
    """A 127.x.y.z address on which ports 6794 and 61612 are free: for
    tools that cannot change the HMC's ports (zhmc-prometheus-exporter,
    zhmcclient's auto-updater)."""
    for _ in range(50):
        host = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            for port in (6794, 61612):
                with socket.socket() as s:
                    s.bind((host, port))
        except OSError:
            continue
        return host
    pytest.fail("no free 127.x.y.z address for ports 6794 and 61612")


# MOCK_HMC_IN_PROCESS=1 (scripts/test runs a subset so): the same
# scenarios with the Python package's in-process mock_hmc.Session on the
# served db in place of zhmcclient over HTTPS.
IN_PROCESS = os.environ.get("MOCK_HMC_IN_PROCESS") == "1"


def make_session(mock, userid=USERID, password=PASSWORD):
    """A zhmcclient Session for the mock HMC (not yet logged on)."""
    if IN_PROCESS:
        import mock_hmc  # pylint: disable=import-outside-toplevel
        return mock_hmc.Session(mock.db, userid, password)
    return zhmcclient.Session(mock.host, userid, password, port=mock.port,
                              verify_cert=False)


@pytest.fixture
def session(mock_hmc):
    """A logged-on zhmcclient Session, logged off afterwards."""
    sess = make_session(mock_hmc)
    sess.logon()
    yield sess
    sess.logoff()


@pytest.fixture
def client(session):
    return zhmcclient.Client(session)


@pytest.fixture
def dpm_cpc(client):
    return client.cpcs.find(name="DPM1")


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def partition_factory(dpm_cpc):
    """Creates partitions on DPM1; deletes what is left of them afterwards."""
    created = []

    def create(name=None, **extra):
        props = {
            "name": name or unique_name("pytest"),
            "initial-memory": 1024,
            "maximum-memory": 2048,
            "ifl-processors": 1,
        }
        props.update(extra)
        part = dpm_cpc.partitions.create(props)
        created.append(part)
        return part

    yield create
    for part in created:
        try:
            part.pull_full_properties()
            if part.get_property("status") != "stopped":
                part.stop()
            part.delete()
        except zhmcclient.HTTPError as exc:
            if exc.http_status != 404:
                raise
        except zhmcclient.CeasedExistence:
            pass

"""The pytest recipe of the README ("The HMC as a test fixture"): one
`mock-hmc serve` shared by every pytest-xdist worker, and a checkpoint
restored around each test that changes the HMC.

- The first worker to get the start lock loads nothing (the default HMC)
  but starts `serve --port 0 --port-file`; the others read the port file.
  The controller (or plain pytest) stops the server at the end.
- `hmc` (function scope) holds an exclusive lock for the test, restores
  the checkpoint `clean` and tags the test's requests: tests that change
  the HMC run one at a time and each starts from the same state, while
  the others run in parallel. (A restore undoes what every other process
  did, so parallel tests that each want a clean HMC need a server each:
  `mock-hmc fork --to` per worker, see the README.)
"""

import fcntl
import os
import pathlib
import signal
import subprocess
import tempfile
import time

import pytest
import urllib3
import zhmcclient

BIN = os.environ.get("MOCK_HMC_BIN", str(
    pathlib.Path(__file__).resolve().parents[3] / "target" / "debug" / "mock-hmc"))
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def pytest_configure(config):
    config.addinivalue_line(
        "filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")
    # The controller makes the shared directory; xdist workers, started
    # later, inherit the environment.
    if not hasattr(config, "workerinput") and "MOCK_HMC_SHARED" not in os.environ:
        os.environ["MOCK_HMC_SHARED"] = tempfile.mkdtemp(prefix="mock-hmc-")


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        return  # a worker: the others may still need the server
    pid = pathlib.Path(os.environ["MOCK_HMC_SHARED"], "pid")
    if pid.exists():
        os.kill(int(pid.read_text()), signal.SIGTERM)


def mock(*args):
    """Runs `mock-hmc --db <the shared db> ARGS`."""
    db = pathlib.Path(os.environ["MOCK_HMC_SHARED"], "hmc.sqlite")
    subprocess.run([BIN, "--db", str(db), *args], check=True,
                   capture_output=True)


@pytest.fixture(scope="session")
def hmc_port():
    shared = pathlib.Path(os.environ["MOCK_HMC_SHARED"])
    port_file = shared / "port"
    with open(shared / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker starts the server
        if not port_file.exists():
            db = shared / "hmc.sqlite"
            proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [BIN, "--db", str(db), "serve", "--port", "0",
                 "--port-file", str(port_file)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            (shared / "pid").write_text(str(proc.pid))
            deadline = time.monotonic() + 30
            while not port_file.read_text().strip() if port_file.exists() else True:
                assert time.monotonic() < deadline, "mock-hmc did not start"
                time.sleep(0.05)
            mock("checkpoint", "save", "clean")
    return int(port_file.read_text())


@pytest.fixture
def hmc(hmc_port, request):
    """A logged-on zhmcclient Client on the HMC as checkpoint `clean` has
    it, for this test alone."""
    shared = pathlib.Path(os.environ["MOCK_HMC_SHARED"])
    with open(shared / "test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mock("checkpoint", "restore", "clean")
        session = zhmcclient.Session("127.0.0.1", "ensadmin", "password",
                                     port=hmc_port, verify_cert=False)
        session.headers["X-Mock-Test-Id"] = request.node.nodeid
        try:
            yield zhmcclient.Client(session)
        finally:
            session.logoff()

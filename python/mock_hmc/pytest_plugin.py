"""The mock-hmc pytest plugin (entry point ``pytest11`` named ``mock_hmc``,
so ``pytest -p mock_hmc`` names it too). It does nothing until a test uses
one of its fixtures:

- ``hmc_db``: a db file of the test's own, forked from a golden db that is
  built once per session (and process) from the definition file named by
  the ``hmc_definition`` marker, the ``--hmc-definition`` option or the
  ``hmc_definition`` ini setting (relative to the test file, the current
  directory and the ini file), else the embedded default HMC;
- ``hmc_session``: a logged-on in-process ``mock_hmc.Session`` on it, its
  requests tagged with the test's node id (``mock_hmc_session`` is the same
  fixture under a name that never clashes: while ``TESTEND2END_LOAD`` is
  set, zhmcclient.testutils' own ``hmc_session`` is left in place for its
  end2end suites);
- ``hmc_client``: a ``zhmcclient.Client`` on that session;
- ``hmc_server``: one ``mock-hmc serve --port 0`` for the whole run, shared
  by all pytest-xdist workers (started by the first worker that needs it,
  stopped by the last one done with it, or by the controller at the end).

When a test that used them fails, its report shows the last requests it
sent (from the journal).
"""

import collections
import contextlib
import fcntl
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

#: The logon the fixtures use (definition files get this user added).
USERID = "ensadmin"
PASSWORD = "password"

#: How many journaled requests a failing test's report shows.
REPORTED_REQUESTS = 20

#: The directory the xdist workers of one run share (set by the
#: controller, inherited by the workers).
SHARED_ENV = "MOCK_HMC_PYTEST_SHARED"

_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 15.0
_FIXTURES = ("hmc_db", "hmc_session", "mock_hmc_session", "hmc_client",
             "hmc_server")


def pytest_addoption(parser):
    group = parser.getgroup("mock-hmc", "mock-hmc fixtures")
    group.addoption(
        "--hmc-definition", metavar="FILE", default=None,
        help="zhmcclient HMC definition file the mock-hmc fixtures load "
             "(default: the ini setting hmc_definition, else the embedded "
             "default HMC)")
    parser.addini(
        "hmc_definition",
        "zhmcclient HMC definition file the mock-hmc fixtures load "
        "(relative to the ini file)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "hmc_definition(path): the HMC definition file the mock-hmc "
        "fixtures load for this test (relative to the test file)")
    if not hasattr(config, "workerinput"):
        # The controller (or a run without xdist): a shared directory name
        # of this run's own, inherited by the xdist workers it starts; an
        # inherited value belongs to an outer run and is replaced.
        config._mock_hmc_prev_shared = os.environ.get(SHARED_ENV)
        os.environ[SHARED_ENV] = os.path.join(
            tempfile.gettempdir(), f"mock-hmc-pytest-{uuid.uuid4().hex}")
    # Registered now, after the entry-point plugins, so that this
    # `hmc_session` wins over zhmcclient.testutils' (a plugin registered
    # later overrides a fixture of the same name); theirs stays while
    # their end2end suites run (TESTEND2END_LOAD).
    config.pluginmanager.register(_Fixtures(), "mock_hmc-fixtures")
    if not os.environ.get("TESTEND2END_LOAD"):
        config.pluginmanager.register(_SessionFixture(),
                                      "mock_hmc-hmc_session")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput") or \
            not hasattr(config, "_mock_hmc_prev_shared"):
        return
    shared = pathlib.Path(os.environ.get(SHARED_ENV, ""))
    if shared.name.startswith("mock-hmc-pytest-") and shared.is_dir():
        # A worker that died holds its reference forever: stop what is left.
        with _locked(shared):
            _stop_server(shared, _read_state(shared))
        shutil.rmtree(shared, ignore_errors=True)
    prev = config._mock_hmc_prev_shared
    if prev is None:
        os.environ.pop(SHARED_ENV, None)
    else:
        os.environ[SHARED_ENV] = prev


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed or not any(f in getattr(item, "funcargs", {})
                                    for f in _FIXTURES):
        return
    try:
        text = _requests_of(item)
    except Exception as exc:  # pylint: disable=broad-except
        text = f"(the journal could not be read: {exc})"
    if text:
        report.sections.append(
            (f"mock-hmc requests (last {REPORTED_REQUESTS})", text))


def _requests_of(item):
    """The last journaled requests of the test, one line each."""
    from .session import open_hmc  # pylint: disable=import-outside-toplevel
    from . import _native  # pylint: disable=import-outside-toplevel
    dbs = []
    if "hmc_db" in item.funcargs:
        dbs.append(item.funcargs["hmc_db"])
    if "hmc_server" in item.funcargs:
        dbs.append(item.funcargs["hmc_server"].db)
    lines = []
    for db in dbs:
        rows = json.loads(_native.journal(open_hmc(db), item.nodeid))
        for row in rows[-REPORTED_REQUESTS:]:
            status = row.get("status")
            reason = row.get("reason")
            code = f"{status}.{reason}" if reason is not None else f"{status}"
            body = row.get("body")
            body = f" {json.dumps(body)[:200]}" if body not in (None, "") \
                else ""
            lines.append(f"{row.get('method')} {row.get('uri')}{body} -> "
                         f"{code}")
    return "\n".join(lines)


def _definition_of(request):
    """The definition file for ``request`` (marker, option, ini), as an
    absolute path, or None for the default HMC."""
    config = request.config
    marker = request.node.get_closest_marker("hmc_definition") \
        if request.scope == "function" else None
    if marker is not None:
        path = pathlib.Path(marker.args[0] if marker.args
                            else marker.kwargs["path"])
        if not path.is_absolute():
            path = pathlib.Path(request.node.fspath).parent / path
    elif config.getoption("hmc_definition"):
        path = pathlib.Path(config.invocation_params.dir,
                            config.getoption("hmc_definition"))
    elif config.getini("hmc_definition"):
        base = config.inipath.parent if config.inipath else config.rootpath
        path = base / config.getini("hmc_definition")
    else:
        return None
    path = path.resolve()
    if not path.is_file():
        raise pytest.UsageError(f"mock-hmc: no HMC definition file {path}")
    return path


def _build_db(db, definition):
    """Fills the new db file ``db`` from ``definition`` (None: the default
    HMC), with the fixtures' logon added."""
    from . import _native  # pylint: disable=import-outside-toplevel
    if definition is None:
        _native.Hmc(str(db))
        return
    native = _native.Hmc.open_unseeded(str(db))
    native.load_definition(definition.read_text(encoding="utf-8"),
                           [(USERID, PASSWORD)])


def _forget_native(db):
    """Drops the process's cached native handle of ``db`` (its SQLite
    connections), so that thousands of tests do not keep thousands of
    files open; a session still holding it keeps it until it goes."""
    from . import session as session_mod  # pylint: disable=import-outside-toplevel
    # pylint: disable=protected-access
    with session_mod._HMCS_LOCK:
        session_mod._HMCS.pop(os.path.realpath(db), None)


class _Goldens:
    """Golden dbs of this process, one per definition file, built on first
    use; tests get forks of them."""

    def __init__(self, directory):
        self._dir = pathlib.Path(directory)
        self._dbs = {}

    def fork(self, definition, to):
        """Writes a fork of the golden db of ``definition`` to ``to``."""
        from . import _native  # pylint: disable=import-outside-toplevel
        golden = self._dbs.get(definition)
        if golden is None:
            path = self._dir / f"golden-{len(self._dbs)}.sqlite"
            _build_db(path, definition)
            golden = self._dbs[definition] = _native.Hmc(str(path))
        _native.fork(golden, str(to), None)


HmcServer = collections.namedtuple(
    "HmcServer", ["host", "port", "stomp_port", "db", "userid", "password"])
HmcServer.__doc__ = """The shared ``mock-hmc serve`` (HTTPS, self-signed)."""


def _server_session(self, test_id=None, **kwargs):
    """A ``zhmcclient.Session`` to the server (not yet logged on); its
    requests are tagged with ``test_id`` (e.g. ``request.node.nodeid``)."""
    import zhmcclient  # pylint: disable=import-outside-toplevel
    session = zhmcclient.Session(self.host, self.userid, self.password,
                                 port=self.port, verify_cert=False, **kwargs)
    if test_id:
        session.headers["X-Mock-Test-Id"] = test_id
    return session


HmcServer.session = _server_session


@contextlib.contextmanager
def _locked(shared):
    shared.mkdir(parents=True, exist_ok=True)
    with open(shared / "lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_state(shared):
    try:
        return json.loads((shared / "server.json").read_text())
    except (OSError, ValueError):
        return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mock_hmc_command():
    script = pathlib.Path(sys.executable).parent / "mock-hmc"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "mock_hmc.cli"]


def _start_server(shared, definition):
    db = shared / "hmc.sqlite"
    if db.exists():
        db.unlink()
    _build_db(db, definition)
    port_file = shared / "port"
    for f in (port_file, shared / "port.stomp"):
        if f.exists():
            f.unlink()
    with open(shared / "serve.log", "ab") as log:
        # A session of its own: the server outlives the worker that
        # started it, and no terminal signal meant for pytest reaches it.
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [*_mock_hmc_command(), "--db", str(db), "serve", "--port", "0",
             "--port-file", str(port_file), "--stomp-port", "0"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        text = port_file.read_text().strip() if port_file.exists() else ""
        if text.isdigit() and int(text) > 0:
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            log_text = (shared / "serve.log").read_text(errors="replace")
            raise RuntimeError(f"mock-hmc serve did not start:\n{log_text}")
        time.sleep(0.05)
    stomp = shared / "port.stomp"
    stomp_port = int(stomp.read_text().strip()) \
        if stomp.exists() and stomp.read_text().strip().isdigit() else None
    return {"pid": proc.pid, "port": int(text), "stomp_port": stomp_port,
            "db": str(db), "refs": 0}


def _stop_server(shared, state):
    if not state:
        return
    pid = state["pid"]
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                # Reap it if this process started it.
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    break
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    (shared / "server.json").unlink(missing_ok=True)


# Session-scoped fixtures live at module level (pytest deprecates them as
# methods of a plugin object); their names clash with no other plugin's.
@pytest.fixture(scope="session")
def _mock_hmc_goldens(tmp_path_factory):
    return _Goldens(tmp_path_factory.mktemp("mock-hmc-golden"))


@pytest.fixture(scope="session")
def hmc_server(request):
    """The ``mock-hmc serve`` of this run (HTTPS on 127.0.0.1, a free
    port; STOMP on another), shared by every xdist worker: an
    ``HmcServer`` (``host``, ``port``, ``stomp_port``, ``db``,
    ``userid``, ``password``, ``session(test_id=None)``). Its HMC is
    the run's definition (option or ini), shared and not reset between
    tests."""
    shared = pathlib.Path(os.environ.get(SHARED_ENV) or tempfile.mkdtemp(
        prefix="mock-hmc-pytest-"))
    definition = _definition_of(request)
    with _locked(shared):
        state = _read_state(shared)
        if state is None or not _alive(state["pid"]):
            state = _start_server(shared, definition)
        state["refs"] += 1
        (shared / "server.json").write_text(json.dumps(state))
    yield HmcServer("127.0.0.1", state["port"], state["stomp_port"],
                    pathlib.Path(state["db"]), USERID, PASSWORD)
    with _locked(shared):
        state = _read_state(shared)
        if state is not None:
            state["refs"] -= 1
            if state["refs"] <= 0:
                _stop_server(shared, state)
            else:
                (shared / "server.json").write_text(json.dumps(state))


class _Fixtures:
    """The function-scoped fixtures (a plugin object registered in
    ``pytest_configure``, after zhmcclient.testutils' plugin)."""

    @pytest.fixture
    def hmc_db(self, request, _mock_hmc_goldens, tmp_path):
        """A db file of this test's own: a fork of the golden db of the
        test's HMC definition (marker, ``--hmc-definition``, ini
        ``hmc_definition``; else the default HMC)."""
        db = tmp_path / "hmc.sqlite"
        _mock_hmc_goldens.fork(_definition_of(request), db)
        yield db
        _forget_native(db)

    @pytest.fixture
    def mock_hmc_session(self, request, hmc_db):
        """A logged-on in-process ``mock_hmc.Session`` on ``hmc_db``."""
        from .session import Session  # pylint: disable=import-outside-toplevel
        session = Session(hmc_db, USERID, PASSWORD)
        session.headers["X-Mock-Test-Id"] = request.node.nodeid
        session.logon()
        yield session
        with contextlib.suppress(Exception):
            session.logoff()
        session.close_db()

    @pytest.fixture
    def hmc_client(self, mock_hmc_session):
        """A ``zhmcclient.Client`` on ``hmc_session``."""
        import zhmcclient  # pylint: disable=import-outside-toplevel
        return zhmcclient.Client(mock_hmc_session)


class _SessionFixture:
    """``hmc_session``: ``mock_hmc_session`` under the name the issue
    gives it (left out while zhmcclient.testutils' end2end suites run)."""

    @pytest.fixture
    def hmc_session(self, mock_hmc_session):
        """A logged-on in-process ``mock_hmc.Session`` on ``hmc_db`` (the
        same as ``mock_hmc_session``)."""
        return mock_hmc_session

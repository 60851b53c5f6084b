"""``mock_hmc.Session``: a ``zhmcclient.Session`` answered in-process.

Its ``get``, ``post`` and ``delete`` keep the contract of
``zhmcclient.Session`` (arguments, return values, re-logon on 403.4/403.5,
jobs, busy retries, the exceptions and how they are built) but, instead of
sending HTTP, hand the request to the mock-hmc library
(``mock_hmc::Hmc::handle``, the very code ``mock-hmc serve`` runs) on a
SQLite db file. Other processes, other sessions and a ``mock-hmc serve`` on
the same file see one HMC.
"""

import json
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable

import zhmcclient
from zhmcclient import (
    ConnectionError as HmcConnectionError,
    HTTPError,
    Job,
    ParseError,
    ServerAuthError,
)
from zhmcclient._constants import HMC_LOGGER_NAME
from zhmcclient.mock import HmcDefinitionSchemaError, HmcDefinitionYamlError

from . import _native

__all__ = ["Session", "DEFAULT_USERID", "DEFAULT_PASSWORD"]

HMC_LOGGER = logging.getLogger(HMC_LOGGER_NAME)

#: The logon ``from_hmc_yaml_file`` and friends set up when no userid is
#: given (the default HMC's administrator).
DEFAULT_USERID = "ensadmin"
DEFAULT_PASSWORD = "password"

#: The host name a ``Session`` reports (there is no network HMC).
DEFAULT_HOST = "mock-hmc"

_IMPLEMENTATION_ERRORS_PROP = "@@implementation-errors"
_METRICS_TYPE = "application/vnd.ibm-z-zmanager-metrics"
_JSON_TYPE = "application/json"

# One native Hmc per db file and process: its connection pool and writer
# connection serve every Session on that file.
_HMCS = {}
_HMCS_LOCK = threading.Lock()


def open_hmc(db_path):
    """The process's native ``Hmc`` for ``db_path`` (opened, created and
    migrated on first use; an empty db gets the default HMC)."""
    key = os.path.realpath(os.fspath(db_path))
    with _HMCS_LOCK:
        hmc = _HMCS.get(key)
        if hmc is None:
            hmc = _native.Hmc(key)
            _HMCS[key] = hmc
        return hmc


def _make_hmc(session):
    """Creates the object behind ``session.hmc``: the FakedHmc mirror of
    ``mock_hmc.faked_hmc``, on ``session.native_hmc``."""
    from .faked_hmc import FakedHmc  # pylint: disable=import-outside-toplevel
    return FakedHmc(session)


def _json_default(obj):
    # PyYAML reads timestamps as datetime; definition files take ISO 8601.
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


class Session(zhmcclient.Session):
    """A ``zhmcclient.Session`` on the mock HMC in the SQLite file
    ``db_path``, answered in-process.

    Like ``zhmcclient.Session``, it logs on when first needed (Logon against
    the console's users: a row in ``sessions``; a wrong password raises
    ``ServerAuthError``), logs on again when the HMC answers 403.4/403.5,
    and ``post`` returns a ``zhmcclient.Job`` for 202 (or waits for it with
    ``wait_for_completion=True``). Errors are ``HTTPError`` built from the
    HMC's error body, as the real Session builds them.
    """

    def __init__(self, db_path, userid=None, password=None, session_id=None,
                 get_password=None, retry_timeout_config=None,
                 host=DEFAULT_HOST, journal=None):
        """``db_path``: the SQLite file (created and filled with the default
        HMC when new or empty); ``userid``, ``password``, ``session_id``,
        ``get_password``, ``retry_timeout_config`` as for
        ``zhmcclient.Session``; ``host`` is only what ``session.host``
        reports. ``journal``: True or False turns the request journal of
        this process's requests on this db on or off (it is on, as for
        ``mock-hmc serve``; off, each request costs about half as much);
        None leaves it as it is."""
        self._native = open_hmc(db_path)
        if journal is not None:
            self._native.set_journal(bool(journal))
        self._db_path = os.fspath(db_path)
        self._hmc_obj = None
        super().__init__(host, userid=userid, password=password,
                         session_id=session_id, get_password=get_password,
                         retry_timeout_config=retry_timeout_config,
                         verify_cert=False)

    # --- constructors mirroring FakedSession ---------------------------

    @classmethod
    def from_hmc_yaml_file(cls, filepath, userid=None, password=None,
                           journal=None):
        """A new Session on a fresh temporary db loaded from the zhmcclient
        HMC definition file ``filepath`` (as ``mock-hmc load``).

        FakedSession takes any credentials; here ``userid`` (default
        ``ensadmin``) is given ``password`` (default ``password``), added as
        a user holding every system-defined role if the file lacks it, as
        ``mock-hmc load --user USERID:PASSWORD`` does. The db is removed
        when the session is garbage-collected or the process exits.
        The db is private, as FakedSession's HMC is, so its request journal
        is off unless ``journal=True`` (a journal row costs as much as the
        request; ``Session`` on a shared db keeps it on).
        """
        with open(filepath, encoding="utf-8") as fp:
            text = fp.read()
        return cls._from_definition_text(text, filepath, userid, password,
                                         journal)

    @classmethod
    def from_hmc_yaml(cls, hmc_yaml, filepath=None, userid=None,
                      password=None, journal=None):
        """Like ``from_hmc_yaml_file``, from a YAML string or stream."""
        if not isinstance(hmc_yaml, str):
            hmc_yaml = hmc_yaml.read()
        return cls._from_definition_text(hmc_yaml, filepath, userid,
                                         password, journal)

    @classmethod
    def from_hmc_dict(cls, hmc_dict, filepath=None, userid=None,
                      password=None, journal=None):
        """Like ``from_hmc_yaml_file``, from a definition dict (as
        ``zhmcclient.Client.to_hmc_dict`` makes it)."""
        text = json.dumps(hmc_dict, default=_json_default)
        return cls._from_definition_text(text, filepath, userid, password,
                                         journal)

    @classmethod
    def _from_definition_text(cls, text, filepath, userid, password,
                              journal=None):
        if journal is None:
            journal = False
        if userid is None:
            userid = DEFAULT_USERID
        if password is None:
            password = DEFAULT_PASSWORD
        tmpdir = tempfile.mkdtemp(prefix="mock-hmc-")
        db = os.path.join(tmpdir, "hmc.sqlite")
        try:
            native = open_unseeded(db)
            host = native.load_definition(text, [(userid, password)])
        except _native.MockHmcError as exc:
            _forget_temporary(db, tmpdir)
            if not isinstance(exc, (_native.DefinitionSyntaxError,
                                    _native.DefinitionError)):
                raise
            # The exceptions FakedSession raises for the same mistakes.
            where = f" in file {filepath}" if filepath else ""
            if isinstance(exc, _native.DefinitionSyntaxError):
                new_exc = HmcDefinitionYamlError(
                    f"Invalid YAML syntax in faked HMC definition{where}: "
                    f"{exc}")
            else:
                new_exc = HmcDefinitionSchemaError(
                    f"Invalid data format in faked HMC definition{where}: "
                    f"{exc}")
            new_exc.__cause__ = None
            raise new_exc
        session = cls(db, userid, password, host=host or DEFAULT_HOST,
                      journal=journal)
        weakref.finalize(session, _forget_temporary, db, tmpdir)
        return session

    # --- what FakedSession has besides the Session API -----------------

    @property
    def hmc(self):
        """The HMC (``session.hmc.hmc_name``, ...; the FakedHmc mirror)."""
        if self._hmc_obj is None:
            self._hmc_obj = _make_hmc(self)
        return self._hmc_obj

    @property
    def db_path(self):
        """The SQLite file that holds the HMC."""
        return self._db_path

    @property
    def native_hmc(self):
        """The native ``mock_hmc._native.Hmc`` of the db (shared by the
        sessions of this process on the same file)."""
        return self._native

    def close_db(self):
        """Lets go of the db file: drops this session's native handle, whose
        SQLite connections close once no other session of the process holds
        it (zhmcclient's managers keep a session in reference cycles, so
        without this its files stay open until the garbage collector runs).
        Requests afterwards raise ``zhmcclient.ConnectionError``."""
        self._native = None
        self._hmc_obj = None

    @staticmethod
    def _new_session(retry_timeout_config):
        # zhmcclient keeps a requests.Session here; nothing goes over HTTP.
        return None

    def __repr__(self):
        return (f"mock_hmc.Session(db_path={self._db_path!r}, "
                f"userid={self._userid!r}, "
                f"logged_on={self._session_id is not None})")

    # --- the request path ----------------------------------------------

    def _send(self, method, uri, body=None, content_type=None):
        """Hands one request to the library; returns (status, content type,
        body, Location), the body as Python objects for JSON (as
        ``json.loads`` makes them), text for other types, or None."""
        if self._native is None:
            raise HmcConnectionError(
                "The session has let go of its db (close_db)", None)
        headers = self._headers
        debug = HMC_LOGGER.isEnabledFor(logging.DEBUG)
        if debug:
            self._log_http_request(method, self._url(uri), None,
                                   headers=headers, content=body)
        tsk = self._time_stats_keeper
        if tsk.enabled:
            stats = tsk.get_stats(f"{method.lower()} {uri}")
            stats.begin()
            try:
                answer = self._native.request(
                    method, uri, headers.get("X-API-Session"), body,
                    content_type, headers.get("X-Mock-Test-Id"))
            finally:
                stats.end()
        else:
            answer = self._native.request(
                method, uri, headers.get("X-API-Session"), body,
                content_type, headers.get("X-Mock-Test-Id"))
        status, ctype, result, location, dropped = answer
        if dropped:
            # The server would close the connection without an answer;
            # requests raises for that, and zhmcclient turns it into this.
            raise HmcConnectionError(
                f"Connection aborted: the HMC closed the connection without "
                f"response ({method} {uri})", None)
        if debug:
            resp_headers = {}
            if ctype:
                resp_headers["content-type"] = ctype
            if location:
                resp_headers["Location"] = location
            content = b"" if result is None else (
                result if isinstance(result, str) else json.dumps(result)
            ).encode()
            self._log_http_response(method, self._url(uri), None,
                                    status=status, headers=resp_headers,
                                    content=content)
        return status, ctype, result, location

    def _url(self, uri):
        return (self._base_url or f"https://{self._hosts[0]}:{self._port}") \
            + uri

    def _result(self, method, uri, status, ctype, result):
        """The body as zhmcclient's ``_result_object`` returns it."""
        if ctype == _JSON_TYPE:
            if type(result) is dict and _IMPLEMENTATION_ERRORS_PROP in result:
                HMC_LOGGER.warning(
                    "Ignored the %r property returned by the HMC for URI %s: "
                    "%r", _IMPLEMENTATION_ERRORS_PROP, uri,
                    result[_IMPLEMENTATION_ERRORS_PROP])
                del result[_IMPLEMENTATION_ERRORS_PROP]
            return result
        if ctype is None:
            # A body was expected (zhmcclient parses it as JSON).
            new_exc = ParseError(
                "JSON parse error in HTTP response: no content. "
                f"HTTP request: {method} {self._url(uri)}. "
                f"Response status {status}. Response content-type: None.")
            new_exc.__cause__ = None
            raise new_exc
        if ctype.startswith(_METRICS_TYPE):
            return result
        raise ParseError(
            f"Unknown content type in HTTP response: {ctype}. "
            f"HTTP request: {method} {self._url(uri)}. "
            f"Response status {status}. Content (max.1000): "
            f"{str(result)[:1000]!r}")

    def _auth_error(self, method, uri, status, error_obj):
        """The exception for a 403 that is not re-logged on."""
        reason = error_obj.get("reason", None)
        HMC_LOGGER.debug("Received HTTP status 403.%d on %s %s: %s",
                         reason, method, uri, error_obj.get("message", None))
        if reason == 1:
            # Authorization, not authentication: a plain HTTPError.
            return HTTPError(error_obj)
        msg = error_obj.get("message", None)
        return ServerAuthError(
            f"HTTP authentication failed with {status},{reason}: {msg}",
            HTTPError(error_obj))

    def get(self, uri, resource=None, logon_required=True,
            renew_session=True):
        """GET ``uri``; returns the JSON object (see
        ``zhmcclient.Session.get``)."""
        if logon_required and self._session_id is None:
            self.logon()
        status, ctype, result, _ = self._send("GET", uri)
        if status == 200:
            if ctype == _JSON_TYPE and type(result) is dict and \
                    _IMPLEMENTATION_ERRORS_PROP not in result:
                return result
            return self._result("GET", uri, status, ctype, result)
        error_obj = self._result("GET", uri, status, ctype, result)
        if status == 403:
            if error_obj.get("reason") in (4, 5) and renew_session:
                self._do_logon()
                return self.get(uri, resource=resource, logon_required=False,
                                renew_session=False)
            raise self._auth_error("GET", uri, status, error_obj)
        raise HTTPError(error_obj)

    def post(self, uri, resource=None, body=None, logon_required=True,
             wait_for_completion=False, operation_timeout=None,
             renew_session=True, busy_retries=0, busy_wait=0):
        """POST ``body`` to ``uri`` (see ``zhmcclient.Session.post``): the
        result object, ``None``, or for an asynchronous operation a
        ``zhmcclient.Job`` (its result with ``wait_for_completion``)."""
        if logon_required and self._session_id is None:
            self.logon()
        if body is None:
            data, ctype = None, None
        elif isinstance(body, dict):
            data, ctype = json.dumps(body).encode("utf-8"), None
        elif isinstance(body, str):
            data, ctype = body.encode("utf-8"), "application/octet-stream"
        elif isinstance(body, bytes):
            data, ctype = body, "application/octet-stream"
        elif isinstance(body, Iterable):
            # File-like objects opened in binary mode (Mount ISO Image).
            data = b"".join(body)
            ctype = "application/octet-stream"
        else:
            raise TypeError(f"Body has invalid type: {type(body)}")

        tsk = self._time_stats_keeper
        if wait_for_completion and tsk.enabled:
            stats_total = tsk.get_stats(f"post {uri}+completion")
            stats_total.begin()
        try:
            status, rtype, text, location = self._send("POST", uri, data,
                                                       ctype)
            if status in (200, 201):
                return self._result("POST", uri, status, rtype, text)
            if status == 204:
                return None
            if status == 202:
                if text is None:
                    # Restart/Shutdown Console, Cancel Job: no content.
                    return None
                result_object = self._result("POST", uri, status, rtype, text)
                job = Job(self, result_object["job-uri"], "POST", uri)
                if wait_for_completion:
                    result = job.wait_for_completion(operation_timeout)
                    # Create Partition Link answers its URI only in Location.
                    if location and "element-uri" not in result and \
                            "object-uri" not in result:
                        result["location-uri"] = location
                    return result
                return job
            error_obj = self._result("POST", uri, status, rtype, text)
            if status == 403:
                if error_obj.get("reason") in (4, 5) and renew_session:
                    self._do_logon()
                    return self.post(
                        uri, resource=resource, body=body,
                        logon_required=False, renew_session=False,
                        wait_for_completion=wait_for_completion,
                        operation_timeout=operation_timeout,
                        busy_retries=busy_retries, busy_wait=busy_wait)
                raise self._auth_error("POST", uri, status, error_obj)
            if status == 409 and error_obj.get("reason") in (1, 2) and \
                    busy_retries > 0:
                if busy_wait > 0:
                    time.sleep(busy_wait)
                return self.post(
                    uri, resource=resource, body=body, logon_required=False,
                    renew_session=False,
                    wait_for_completion=wait_for_completion,
                    operation_timeout=operation_timeout,
                    busy_retries=busy_retries - 1, busy_wait=busy_wait)
            raise HTTPError(error_obj)
        finally:
            if wait_for_completion and tsk.enabled:
                stats_total.end()

    def delete(self, uri, resource=None, logon_required=True,
               renew_session=True, busy_retries=0, busy_wait=0):
        """DELETE ``uri`` (see ``zhmcclient.Session.delete``)."""
        if logon_required and self._session_id is None:
            self.logon()
        status, ctype, text, _ = self._send("DELETE", uri)
        if status in (200, 204):
            return
        error_obj = self._result("DELETE", uri, status, ctype, text)
        if status == 403:
            if error_obj.get("reason") in (4, 5) and renew_session:
                self._do_logon()
                self.delete(uri, resource=resource, logon_required=False,
                            renew_session=False, busy_retries=busy_retries,
                            busy_wait=busy_wait)
                return
            raise self._auth_error("DELETE", uri, status, error_obj)
        if status == 409 and error_obj.get("reason") in (1, 2) and \
                busy_retries > 0:
            if busy_wait > 0:
                time.sleep(busy_wait)
            self.delete(uri, resource=resource, logon_required=False,
                        renew_session=False, busy_retries=busy_retries - 1,
                        busy_wait=busy_wait)
            return
        raise HTTPError(error_obj)


def open_unseeded(db_path):
    """A native ``Hmc`` on a new db without the default HMC in it (for
    loading a definition), registered like ``open_hmc``'s."""
    key = os.path.realpath(os.fspath(db_path))
    hmc = _native.Hmc.open_unseeded(key)
    with _HMCS_LOCK:
        _HMCS[key] = hmc
    return hmc


def _forget_temporary(db, tmpdir):
    with _HMCS_LOCK:
        _HMCS.pop(os.path.realpath(db), None)
    shutil.rmtree(tmpdir, ignore_errors=True)

"""mock_hmc.Session: the zhmcclient Session contract, answered in-process."""

import hashlib
import json
import threading
import time

import pytest
import zhmcclient

import mock_hmc
from conftest import EXAMPLES, PART, PASSWORD, USERID, child_python, cli


def stored_session_keys(db):
    # Read by another process: Python's own sqlite3 module must not open a
    # db that this process has open through mock_hmc (README, "Python
    # package": two SQLite libraries in one process break each other's
    # locks).
    out = cli("--db", db, "sessions", "--json").stdout
    return {row["key"] for row in json.loads(out)}


def key(session_id):
    return hashlib.sha256(session_id.encode()).hexdigest()


def error_fields(exc):
    """What a test can see of a zhmcclient error, for comparing two."""
    if isinstance(exc, zhmcclient.ServerAuthError):
        return ("ServerAuthError", str(exc)) + error_fields(exc.details)
    return (type(exc).__name__, exc.http_status, exc.reason, exc.message,
            exc.request_method, exc.request_uri)


def raised(fn):
    with pytest.raises(zhmcclient.Error) as info:
        fn()
    return info.value


# --- logon -----------------------------------------------------------------

def test_is_a_zhmcclient_session_that_logs_on_into_the_sessions_table(db):
    sess = mock_hmc.Session(db, USERID, PASSWORD)
    assert isinstance(sess, zhmcclient.Session)
    assert not sess.is_logon()
    before = stored_session_keys(db)
    sess.logon()
    assert sess.is_logon(verify=True)
    assert key(sess.session_id) in stored_session_keys(db) - before
    assert sess.session_credential
    assert sess.object_topic and sess.job_topic
    sess.logoff()
    assert stored_session_keys(db) == before
    assert sess.session_id is None


def test_wrong_password_raises_what_the_https_session_raises(served, db):
    inproc, https = served
    bad_inproc = mock_hmc.Session(db, USERID, "wrong")
    bad_https = zhmcclient.Session(https.host, USERID, "wrong",
                                   port=https.port, verify_cert=False)
    mine = raised(bad_inproc.logon)
    theirs = raised(bad_https.logon)
    assert isinstance(mine, zhmcclient.ServerAuthError)
    assert error_fields(mine) == error_fields(theirs)
    assert mine.details.http_status == 403 and mine.details.reason == 0
    assert not bad_inproc.is_logon()


def test_unknown_user_is_refused(db):
    exc = raised(mock_hmc.Session(db, "nobody", PASSWORD).logon)
    assert isinstance(exc, zhmcclient.ServerAuthError)


# --- errors as the real Session builds them ----------------------------------

def test_http_errors_have_the_fields_the_https_session_gives(served):
    inproc, https = served
    cases = []
    for sess in (inproc, https):
        client = zhmcclient.Client(sess)
        cpc = client.cpcs.find(name="DPM1")
        linux1 = cpc.partitions.find(name="LINUX1")  # active
        cases.append([
            raised(lambda: sess.get("/api/partitions/no-such")),
            raised(lambda: sess.get("/api/cpcs?bogus-filter=1")),
            raised(lambda: cpc.partitions.create(
                {"name": "LINUX2", **PART})),           # 400.8
            raised(lambda: linux1.start()),             # 409.1
            raised(lambda: sess.delete("/api/partitions/no-such")),
            raised(lambda: sess.post("/api/partitions/no-such/operations/stop")),
            raised(lambda: sess.post(cpc.uri + "/partitions", body={})),
            # A str body goes as application/octet-stream, as zhmcclient
            # sends it; Logon wants JSON.
            raised(lambda: sess.post("/api/sessions", body='{"userid": "x"}',
                                     logon_required=False)),
        ])
    mine, theirs = cases
    assert [error_fields(e) for e in mine] == [error_fields(e) for e in theirs]
    assert [(e.http_status, e.reason) for e in mine] == [
        (404, 1), (400, 1), (400, 8), (409, 1), (404, 1), (404, 1), (400, 5),
        (400, 3)]


def test_not_found_raises_ceased_existence_for_a_deleted_resource(session,
                                                                  db):
    client = zhmcclient.Client(session)
    cpc = client.cpcs.find(name="DPM1")
    part = cpc.partitions.create({"name": "gone-soon", **PART})
    other = mock_hmc.Session(db, USERID, PASSWORD)
    other.delete(part.uri)
    other.logoff()
    with pytest.raises(zhmcclient.CeasedExistence):
        part.pull_full_properties()


# --- 403.4 / 403.5 and transparent re-logon ----------------------------------

def test_logged_off_elsewhere_logs_on_again_transparently(session, db):
    old_id = session.session_id
    # Log the session off behind its back (another process could do this).
    session.native_hmc.request("DELETE", "/api/sessions/this-session", old_id)
    assert key(old_id) not in stored_session_keys(db)
    cpcs = session.get("/api/cpcs")["cpcs"]
    assert {c["name"] for c in cpcs} == {"DPM1", "CLASSIC1"}
    assert session.session_id != old_id
    assert key(session.session_id) in stored_session_keys(db)


def test_expired_session_logs_on_again_for_post_and_delete(session, db):
    client = zhmcclient.Client(session)
    cpc = client.cpcs.find(name="DPM1")
    first = session.session_id
    cli("--db", db, "clock", "advance", "7h")   # past the idle timeout
    part = cpc.partitions.create({"name": "after-expiry", **PART})
    second = session.session_id
    assert second != first
    cli("--db", db, "clock", "advance", "7h")
    part.delete()
    assert session.session_id not in (first, second)
    assert "after-expiry" not in [p.name for p in cpc.partitions.list()]


def test_without_renew_session_a_stale_session_raises_403_5(session):
    session.native_hmc.request("DELETE", "/api/sessions/this-session",
                               session.session_id)
    exc = raised(lambda: session.get("/api/cpcs", renew_session=False))
    assert isinstance(exc, zhmcclient.ServerAuthError)
    assert (exc.details.http_status, exc.details.reason) == (403, 5)


def test_a_403_1_is_an_http_error_not_an_auth_error(db):
    cli("--db", db, "fault", "add", "--uri", "/api/cpcs", "--error", "403.1",
        "--count", "1")
    sess = mock_hmc.Session(db, USERID, PASSWORD)
    exc = raised(lambda: sess.get("/api/cpcs"))
    assert type(exc) is zhmcclient.HTTPError
    assert (exc.http_status, exc.reason) == (403, 1)
    sess.logoff()


# --- jobs ------------------------------------------------------------------

def test_async_operation_returns_a_job_polled_in_process(session, db):
    cli("--db", db, "job-policy", "add", "--operation", "Start Partition",
        "--polls", "1")
    part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
        .partitions.find(name="LINUX2")
    job = part.start(wait_for_completion=False)
    assert isinstance(job, zhmcclient.Job)
    assert job.op_method == "POST" and job.op_uri == part.uri + "/operations/start"
    assert job.check_for_completion() == ("running", None)
    status, result = job.check_for_completion()
    assert status == "complete"
    part.pull_full_properties()
    assert part.get_property("status") == "active"
    # check_for_completion deleted the finished job, as on a real HMC.
    exc = raised(lambda: session.get(job.uri))
    assert (exc.http_status, exc.reason) == (404, 1)
    assert result in (None, {})


def test_wait_for_completion_returns_the_job_result(session):
    part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
        .partitions.find(name="LINUX1")
    result = session.post(part.uri + "/operations/stop",
                          wait_for_completion=True)
    assert result in (None, {})
    part.pull_full_properties()
    assert part.get_property("status") == "stopped"


def test_a_job_that_fails_raises_http_error_naming_the_operation(session, db):
    cli("--db", db, "job-policy", "add", "--operation", "Start Partition",
        "--error", "500.263", "--message", "boom")
    part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
        .partitions.find(name="LINUX2")
    exc = raised(part.start)
    assert type(exc) is zhmcclient.HTTPError
    assert (exc.http_status, exc.reason, exc.message) == (500, 263, "boom")
    assert exc.request_method == "POST"
    assert exc.request_uri == part.uri + "/operations/start"


def test_busy_retries_retry_a_409(session, db):
    cli("--db", db, "fault", "add", "--uri", "/api/partitions/.*",
        "--method", "POST", "--error", "409.2", "--count", "2")
    part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
        .partitions.find(name="LINUX2")
    session.post(part.uri, body={"description": "busy"}, busy_retries=2)
    part.pull_full_properties()
    assert part.get_property("description") == "busy"


# --- what is not plain JSON --------------------------------------------------

def test_dropped_connection_is_a_connection_error(session, db):
    cli("--db", db, "fault", "add", "--uri", "/api/cpcs", "--drop-connection",
        "--count", "1")
    with pytest.raises(zhmcclient.ConnectionError):
        session.get("/api/cpcs")
    assert session.get("/api/cpcs")["cpcs"]


def test_a_body_of_another_type_is_a_type_error(session):
    with pytest.raises(TypeError):
        session.post("/api/sessions", body=42)


def test_the_test_id_header_tags_the_journal(session, db):
    session.headers["X-Mock-Test-Id"] = "tagged-test"
    session.get("/api/cpcs")
    out = cli("--db", db, "journal", "--test", "tagged-test", "--json").stdout
    assert [row["uri"] for row in json.loads(out)] == ["/api/cpcs"]


def test_time_stats_are_kept_when_enabled(session):
    session.time_stats_keeper.enable()
    session.get("/api/cpcs")
    assert "get /api/cpcs" in session.time_stats_keeper.snapshot()


# --- one HMC for every process -----------------------------------------------

CHILD = """
import sys, json, mock_hmc, zhmcclient
db, action, name = sys.argv[1:4]
sess = mock_hmc.Session(db, "ensadmin", "password")
cpc = zhmcclient.Client(sess).cpcs.find(name="DPM1")
if action == "create":
    p = cpc.partitions.create({"name": name, "initial-memory": 1024,
                               "maximum-memory": 2048, "ifl-processors": 1})
    print(json.dumps({"uri": p.uri}))
else:
    p = cpc.partitions.find(name=name)
    print(json.dumps({"description": p.get_property("description")}))
sess.logoff()
"""


def test_two_processes_see_each_others_changes(session, db):
    cpc = zhmcclient.Client(session).cpcs.find(name="DPM1")
    created = json.loads(child_python(CHILD, db, "create", "from-child"))
    part = cpc.partitions.find(name="from-child")
    assert part.uri == created["uri"]
    part.update_properties({"description": "from the parent"})
    seen = json.loads(child_python(CHILD, db, "read", "from-child"))
    assert seen["description"] == "from the parent"


def test_serve_and_the_in_process_session_share_one_hmc(served):
    inproc, https = served
    cpc_in = zhmcclient.Client(inproc).cpcs.find(name="DPM1")
    cpc_net = zhmcclient.Client(https).cpcs.find(name="DPM1")
    part = cpc_in.partitions.create({"name": "shared", **PART})
    theirs = cpc_net.partitions.find(name="shared")
    assert theirs.uri == part.uri
    theirs.update_properties({"description": "over https"})
    part.pull_full_properties()
    assert part.get_property("description") == "over https"


# --- the GIL ---------------------------------------------------------------

def test_the_gil_is_released_while_rust_works(session, db):
    cli("--db", db, "fault", "add", "--uri", "/api/cpcs", "--delay", "600ms",
        "--count", "1")
    done = threading.Event()

    def slow():
        session.get("/api/cpcs")
        done.set()

    thread = threading.Thread(target=slow)
    start = time.monotonic()
    thread.start()
    spins = 0
    while not done.is_set():
        spins += 1   # Python runs here only while the request has no GIL
    thread.join()
    assert time.monotonic() - start >= 0.6
    assert spins > 10_000


# --- session.hmc -------------------------------------------------------------

def test_hmc_attribute_tells_the_hmc_version(session):
    assert session.hmc.hmc_name == "MOCKHMC1"
    assert session.hmc.hmc_version == "2.16.0"
    assert session.hmc.api_version == "4.10"
    version = zhmcclient.Client(session).query_api_version()
    assert version["hmc-name"] == session.hmc.hmc_name


def test_notification_topics_are_the_sessions(session):
    topics = {t["topic-type"]: t["topic-name"]
              for t in session.get_notification_topics()}
    assert topics["object-notification"] == session.object_topic
    assert topics["job-notification"] == session.job_topic


def test_debug_log_shows_requests_with_passwords_blanked(db, caplog):
    caplog.set_level("DEBUG", logger="zhmcclient.hmc")
    sess = mock_hmc.Session(db, USERID, PASSWORD)
    sess.get("/api/cpcs")
    sess.logoff()
    text = caplog.text
    assert "/api/cpcs" in text and "/api/sessions" in text
    assert "\"password\": \"password\"" not in text


def test_journal_can_be_turned_off_and_on(db):
    def journaled():
        out = cli("--db", db, "journal", "--uri", "/api/cpcs", "--json").stdout
        return len(json.loads(out))

    sess = mock_hmc.Session(db, USERID, PASSWORD, journal=False)
    sess.get("/api/cpcs")
    assert journaled() == 0
    sess = mock_hmc.Session(db, USERID, PASSWORD, journal=True)
    sess.get("/api/cpcs")
    assert journaled() == 1


def test_a_private_db_from_a_definition_file_keeps_no_journal_unless_asked():
    # FakedSession keeps no journal, and from_hmc_yaml_file's db is this
    # session's alone: no journal row by default, one with journal=True.
    path = EXAMPLES / "example_mocked_z16_dpm.yaml"
    for journal, rows in ((None, 0), (True, 1)):
        kwargs = {} if journal is None else {"journal": journal}
        sess = mock_hmc.Session.from_hmc_yaml_file(str(path), **kwargs)
        sess.get("/api/cpcs")
        out = cli("--db", sess.db_path, "journal", "--uri", "/api/cpcs",
                  "--json").stdout
        assert len(json.loads(out)) == rows, journal


def test_close_db_lets_go_of_the_file(db):
    sess = mock_hmc.Session(db, USERID, PASSWORD)
    sess.get("/api/cpcs")
    sess.close_db()
    with pytest.raises(zhmcclient.ConnectionError):
        sess.get("/api/cpcs")

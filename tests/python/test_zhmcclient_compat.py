"""Compatibility tests: the real zhmcclient (1.26) against `mock-hmc serve`."""

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import textwrap

import pytest
import requests
import zhmcclient

from conftest import make_session, unique_name

INVALID_SESSION_MESSAGE = "x-api-session header did not map to a known session"
VSWITCH_URI = "/api/virtual-switches/vswitch-osa-0108"


def base_url(mock):
    return f"https://{mock.host}:{mock.port}"


def db_session_ids(db):
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return {row[0] for row in conn.execute("select id from sessions")}
    finally:
        conn.close()


def session_key(session_id):
    """The key a session is stored under: the SHA-256 of its id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


# --- sessions -------------------------------------------------------------

def test_two_logons_give_distinct_sessions_stored_in_db(mock_hmc):
    s1 = make_session(mock_hmc)
    s2 = make_session(mock_hmc)
    s1.logon()
    s2.logon()
    try:
        assert s1.session_id and s2.session_id
        assert s1.session_id != s2.session_id
        # The db keeps only the SHA-256 of a session id (README: secrets).
        keys = {session_key(s1.session_id), session_key(s2.session_id)}
        assert keys <= db_session_ids(mock_hmc.db)
    finally:
        s1.logoff()
        s2.logoff()
    assert not keys & db_session_ids(mock_hmc.db)


def test_logged_off_session_is_rejected_with_reason_5(mock_hmc):
    sess = make_session(mock_hmc)
    sess.logon()
    old_id = sess.session_id
    # The session works before logoff.
    ok = requests.get(base_url(mock_hmc) + "/api/cpcs",
                      headers={"X-API-Session": old_id}, verify=False,
                      timeout=30)
    assert ok.status_code == 200, ok.text
    sess.logoff()
    assert old_id not in db_session_ids(mock_hmc.db)

    resp = requests.get(base_url(mock_hmc) + "/api/cpcs",
                        headers={"X-API-Session": old_id}, verify=False,
                        timeout=30)
    assert resp.status_code == 403
    body = resp.json()
    assert body["http-status"] == 403
    assert body["reason"] == 5
    assert body["message"] == INVALID_SESSION_MESSAGE
    assert body["request-method"] == "GET"
    assert body["request-uri"] == "/api/cpcs"


def test_missing_session_header_is_rejected_with_reason_4(mock_hmc):
    resp = requests.get(base_url(mock_hmc) + "/api/cpcs", verify=False,
                        timeout=30)
    assert resp.status_code == 403
    body = resp.json()
    assert body["http-status"] == 403
    assert body["reason"] == 4


def test_wrong_password_is_rejected(mock_hmc):
    before = db_session_ids(mock_hmc.db)
    sess = make_session(mock_hmc, password="not-the-password")
    with pytest.raises((zhmcclient.ServerAuthError,
                        zhmcclient.HTTPError)) as exc_info:
        sess.logon()
    exc = exc_info.value
    http_error = exc.details if isinstance(exc, zhmcclient.ServerAuthError) \
        else exc
    assert http_error.http_status == 403
    assert http_error.reason == 0
    assert not sess.is_logon()
    assert db_session_ids(mock_hmc.db) == before


# --- read-only inventory --------------------------------------------------

def test_query_api_version(mock_hmc):
    client = zhmcclient.Client(make_session(mock_hmc))
    version = client.query_api_version()
    assert version["api-major-version"] == 4
    assert version["api-minor-version"] == 10
    assert version["hmc-version"] == "2.16.0"


def test_cpcs_list_and_dpm_mode(client):
    cpcs = {cpc.name: cpc for cpc in client.cpcs.list()}
    assert {"DPM1", "CLASSIC1"} <= set(cpcs)
    assert cpcs["DPM1"].uri == "/api/cpcs/dpm1"
    assert cpcs["DPM1"].dpm_enabled is True
    assert cpcs["CLASSIC1"].dpm_enabled is False


def test_classic_cpc_has_no_partitions(client):
    classic = client.cpcs.find(name="CLASSIC1")
    assert classic.partitions.list() == []


def test_default_partitions(dpm_cpc):
    parts = {p.name: p for p in dpm_cpc.partitions.list()}
    assert parts["LINUX1"].get_property("status") == "active"
    assert parts["LINUX2"].get_property("status") == "stopped"


# --- partition life cycle -------------------------------------------------

def test_partition_lifecycle(dpm_cpc, session):
    name = unique_name("lifecycle")
    part = dpm_cpc.partitions.create({
        "name": name,
        "initial-memory": 1024,
        "maximum-memory": 2048,
        "ifl-processors": 1,
    })
    assert re.fullmatch(r"/api/partitions/[^/]+", part.uri), part.uri
    part.pull_full_properties()
    props = part.properties
    assert props["name"] == name
    assert props["object-uri"] == part.uri
    assert props["initial-memory"] == 1024
    assert props["maximum-memory"] == 2048
    assert props["ifl-processors"] == 1
    assert props["status"] == "stopped"
    assert dpm_cpc.partitions.find(name=name).uri == part.uri

    part.start()
    part.pull_full_properties()
    assert part.get_property("status") == "active"

    part.stop()
    part.pull_full_properties()
    assert part.get_property("status") == "stopped"

    part.delete()
    with pytest.raises(zhmcclient.NotFound):
        dpm_cpc.partitions.find(name=name)
    assert name not in [p.name for p in dpm_cpc.partitions.list()]
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        session.get(part.uri)
    assert exc_info.value.http_status == 404
    assert exc_info.value.reason == 1


# --- NICs -----------------------------------------------------------------

def test_nic_lifecycle(dpm_cpc, partition_factory):
    part = partition_factory()
    nic = part.nics.create({
        "name": "eth0",
        "description": "created by pytest",
        "virtual-switch-uri": VSWITCH_URI,
    })
    assert nic.uri.startswith(part.uri + "/nics/"), nic.uri

    part.pull_full_properties()
    assert part.get_property("nic-uris") == [nic.uri]
    nics = part.nics.list(full_properties=True)
    assert [n.uri for n in nics] == [nic.uri]
    listed = nics[0]
    assert listed.name == "eth0"
    assert listed.get_property("virtual-switch-uri") == VSWITCH_URI
    device_number = listed.get_property("device-number")
    assert re.fullmatch(r"[0-9a-f]{4}", device_number), device_number

    vswitch = dpm_cpc.virtual_switches.resource_object(VSWITCH_URI)
    vswitch.pull_full_properties()
    assert nic.uri in vswitch.get_property("connected-vnic-uris")

    nic.update_properties({"description": "updated by pytest"})
    fresh = part.nics.resource_object(nic.uri)
    fresh.pull_full_properties()
    assert fresh.get_property("description") == "updated by pytest"

    nic.delete()
    part.pull_full_properties()
    assert not part.get_property("nic-uris")
    assert part.nics.list() == []
    vswitch.pull_full_properties()
    assert nic.uri not in vswitch.get_property("connected-vnic-uris")


def test_a_list_edited_in_sqlite3_loses_a_deleted_nic_too(mock_hmc, partition_factory):
    """A URI put into a list by hand, behind the HMC's back, is found by the
    Delete like one the HMC put there (the references table's triggers)."""
    part = partition_factory()
    nic = part.nics.create({"name": "eth0", "virtual-switch-uri": VSWITCH_URI})
    other = partition_factory()
    # The edit runs in a process of its own, as a user's sqlite3 would: in
    # the in-process run (tests/python_package/run.sh) this process has the
    # db open through mock_hmc's SQLite, and a second SQLite library in the
    # same process drops its locks when it closes the file (README).
    edit = textwrap.dedent('''
        import sqlite3, sys
        conn = sqlite3.connect(sys.argv[1], timeout=10)
        with conn:
            conn.execute(
                """update resources set properties = json_set(properties,
                       '$."watched-nic-uris"', json_array(?, '/api/elsewhere'))
                   where uri = ?""",
                (sys.argv[2], sys.argv[3]),
            )
        conn.close()
    ''')
    subprocess.run(
        [sys.executable, "-c", edit, str(mock_hmc.db), nic.uri, other.uri],
        check=True,
        timeout=60,
    )
    other.pull_full_properties()
    assert other.get_property("watched-nic-uris") == [nic.uri, "/api/elsewhere"]

    nic.delete()
    other.pull_full_properties()
    assert other.get_property("watched-nic-uris") == ["/api/elsewhere"]


# --- error mapping --------------------------------------------------------

def test_duplicate_partition_name_is_400_reason_8(dpm_cpc, partition_factory):
    part = partition_factory()
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        dpm_cpc.partitions.create({
            "name": part.name,
            "initial-memory": 1024,
            "maximum-memory": 2048,
            "ifl-processors": 1,
        })
    assert exc_info.value.http_status == 400
    assert exc_info.value.reason == 8
    names = [p.name for p in dpm_cpc.partitions.list()]
    assert names.count(part.name) == 1


def test_starting_active_partition_is_409_reason_1(partition_factory):
    part = partition_factory()
    part.start()
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        part.start()
    assert exc_info.value.http_status == 409
    assert exc_info.value.reason == 1
    part.pull_full_properties()
    assert part.get_property("status") == "active"


# --- several processes share one HMC --------------------------------------

CHILD_SCRIPT = textwrap.dedent("""
    import json, sys
    import zhmcclient
    host, port, seen_name, new_name = sys.argv[1:5]
    session = zhmcclient.Session(host, 'ensadmin', 'password', port=int(port),
                                 verify_cert=False)
    try:
        cpc = zhmcclient.Client(session).cpcs.find(name='DPM1')
        names = [p.name for p in cpc.partitions.list()]
        part = cpc.partitions.create({'name': new_name,
                                      'initial-memory': 1024,
                                      'maximum-memory': 2048,
                                      'ifl-processors': 1})
        print(json.dumps({'saw': seen_name in names, 'names': names,
                          'created-uri': part.uri}))
    finally:
        session.logoff()
""")


def test_second_process_shares_the_hmc(mock_hmc, dpm_cpc, partition_factory):
    mine = partition_factory()
    theirs_name = unique_name("child")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, mock_hmc.host,
         str(mock_hmc.port), mine.name, theirs_name],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    try:
        # The child saw the partition this process created ...
        assert result["saw"] is True, result["names"]
        # ... and this process sees the one the child created.
        theirs = dpm_cpc.partitions.find(name=theirs_name)
        assert theirs.uri == result["created-uri"]
        assert theirs_name in [p.name for p in dpm_cpc.partitions.list()]
    finally:
        dpm_cpc.partitions.resource_object(result["created-uri"]).delete()


def test_lists_of_cpc_children_follow_the_mode(client):
    dpm = client.cpcs.find(name="DPM1")
    classic = client.cpcs.find(name="CLASSIC1")
    vswitches = {v.name for v in dpm.virtual_switches.list()}
    assert vswitches == {"HIPERSOCKET 0200", "VSWITCH OSA 0108",
                         "VSWITCH OSA 0109"}
    adapters = {a.name for a in dpm.adapters.list()}
    assert {"OSA 0108", "FCP 0118", "Crypto 0120"} <= adapters
    assert [a.name for a in dpm.adapters.list(filter_args={"type": "fcp"})] == ["FCP 0118"]
    assert sorted(lpar.name for lpar in classic.lpars.list()) == ["LPAR1", "LPAR2"]
    assert classic.adapters.list() == []
    assert dpm.lpars.list() == []
    assert [p.name for p in classic.image_activation_profiles.list()] == ["LPAR1", "LPAR2"]

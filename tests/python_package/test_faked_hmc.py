"""session.hmc, the FakedHmc mirror, and mock_hmc.FakedSession: the set-up
code of FakedSession-based unit tests (zhmcclient's own mock tests add
consoles, CPCs and their children through `session.hmc`, then use
`zhmcclient.Client(session)`) works unchanged, and writes through the db
that every other session and process sees."""

import datetime
import json

import pytest
import zhmcclient
from zhmcclient.mock import FakedMetricObjectValues

import mock_hmc
from mock_hmc.faked_hmc import MockHmcError
from conftest import PART, PASSWORD, USERID, cli

DPM_CPC = {
    "object-id": "fake-cpc1-oid",
    # FakedSession set-ups often give parent and class themselves.
    "parent": None,
    "class": "cpc",
    "name": "fake-cpc1-name",
    "description": "CPC #1 (DPM mode)",
    "status": "active",
    "dpm-enabled": True,
    "is-ensemble-member": False,
    "iml-mode": "dpm",
    "se-version": "2.15.0",
}


@pytest.fixture
def faked():
    """A FakedSession-style session on an empty HMC, and its client."""
    session = mock_hmc.FakedSession("fake-host", "fake-hmc", "2.15.0", "3.1")
    yield session, zhmcclient.Client(session)
    session.logoff()


def test_faked_session_setup_with_a_cpc_and_partitions(faked):
    session, client = faked
    faked_cpc = session.hmc.cpcs.add(DPM_CPC)
    assert (faked_cpc.oid, faked_cpc.uri, faked_cpc.name) == (
        "fake-cpc1-oid", "/api/cpcs/fake-cpc1-oid", "fake-cpc1-name")
    faked_part = faked_cpc.partitions.add({
        "object-id": "fake-part1-oid", "name": "fake-part1-name",
        "description": "Partition #1", "status": "active",
        "initial-memory": 1024, "maximum-memory": 2048})
    assert faked_part.properties["parent"] == faked_cpc.uri
    assert faked_part.properties["class"] == "partition"

    cpc = client.cpcs.find(name="fake-cpc1-name")
    assert cpc.dpm_enabled
    [part] = cpc.partitions.list()
    assert part.uri == faked_part.uri

    # What the client creates and deletes, the faked HMC shows.
    new = cpc.partitions.create({"name": "p2", **PART})
    assert [p.name for p in faked_cpc.partitions.list()] == [
        "fake-part1-name", "p2"]
    new.update_properties({"description": "changed"})
    assert faked_cpc.partitions.lookup_by_oid(new.get_property(
        "object-id")).properties["description"] == "changed"
    new.delete()
    assert len(faked_cpc.partitions.list()) == 1

    # Properties are a live view: assigning changes the HMC.
    faked_part.properties["status"] = "stopped"
    part.pull_full_properties()
    assert part.get_property("status") == "stopped"
    faked_part.update({"description": "updated", "status": "active"})
    part.pull_full_properties()
    assert part.get_property("description") == "updated"
    del faked_part.properties["description"]
    assert "description" not in faked_part.properties

    faked_cpc.partitions.remove("fake-part1-oid")
    assert cpc.partitions.list() == []
    with pytest.raises(KeyError):
        faked_cpc.partitions.lookup_by_oid("fake-part1-oid")


def test_console_users_and_filters(faked):
    session, client = faked
    faked_console = session.hmc.consoles.add({
        "name": "fake-console1", "description": "Console #1"})
    assert faked_console.uri == "/api/console" and faked_console.oid is None
    assert session.hmc.consoles.console == faked_console
    faked_console.users.add({"object-id": "u1", "name": "User1",
                             "type": "standard"})
    faked_console.users.add({"object-id": "u2", "name": "admin2",
                             "type": "system-defined"})
    console = client.consoles.console
    assert console.get_property("name") == "fake-console1"
    assert {u.name for u in console.users.list()} == {"User1", "admin2"}

    users = faked_console.users
    # FakedBaseManager.list: anchored regexes, case-insensitive names for
    # users, lists OR-ed, a missing property never matches.
    assert [u.name for u in users.list({"name": "user1"})] == ["User1"]
    assert [u.name for u in users.list({"name": "adm.*"})] == ["admin2"]
    assert users.list({"name": "adm"}) == []
    assert len(users.list({"type": ["standard", "system-defined"]})) == 2
    assert users.list({"no-such-prop": "x"}) == []


def test_add_resources_with_adapters_ports_and_nics(faked):
    session, client = faked
    session.hmc.add_resources({"cpcs": [{
        "properties": dict(DPM_CPC),
        "adapters": [
            {"properties": {"object-id": "osa1", "name": "OSA1",
                            "type": "osd", "adapter-family": "osa"},
             "ports": [{"properties": {"element-id": "p0", "name": "P0",
                                       "index": 0}}]},
            {"properties": {"object-id": "fcp1", "name": "FCP1",
                            "type": "fcp", "adapter-family": "ficon"},
             "ports": [{"properties": {"element-id": "p0", "name": "P0"}}]},
        ],
        "virtual_switches": [{"properties": {
            "object-id": "vs1", "name": "VS1", "type": "osd",
            "backing-adapter-uri": "/api/adapters/osa1", "port": 0}}],
        "partitions": [{
            "properties": {"object-id": "part1", "name": "PART1"},
            "nics": [{"properties": {
                "element-id": "nic1", "name": "NIC1", "type": "osd",
                "virtual-switch-uri": "/api/virtual-switches/vs1"}}],
        }],
    }]})
    faked_cpc = session.hmc.cpcs.lookup_by_oid("fake-cpc1-oid")
    osa = faked_cpc.adapters.lookup_by_oid("osa1")
    [port] = osa.ports.list()
    assert port.properties["class"] == "network-port"
    assert osa.properties["network-port-uris"] == [port.uri]
    fcp = faked_cpc.adapters.lookup_by_oid("fcp1")
    assert fcp.ports.list()[0].properties["class"] == "storage-port"
    faked_nic = session.hmc.lookup_by_uri("/api/partitions/part1/nics/nic1")
    assert faked_nic.manager.parent.uri == "/api/partitions/part1"
    # The loader's side effects: a device number and the back-references.
    assert faked_nic.properties["device-number"]
    vswitch = faked_cpc.virtual_switches.lookup_by_oid("vs1")
    assert vswitch.properties["connected-vnic-uris"] == [faked_nic.uri]

    cpc = client.cpcs.find(name="fake-cpc1-name")
    part = cpc.partitions.find(name="PART1")
    assert [n.name for n in part.nics.list()] == ["NIC1"]
    assert [a.name for a in cpc.adapters.list(filter_args={"name": "O.*"})] \
        == ["OSA1"]
    assert set(session.hmc.all_resources) >= {
        faked_cpc.uri, osa.uri, port.uri, faked_nic.uri}

    # A bad entry adds nothing (one transaction) and names itself.
    with pytest.raises(MockHmcError, match=r"cpcs\[1\]"):
        session.hmc.add_resources({"cpcs": [
            {"properties": {"object-id": "c2", "name": "C2"}},
            {"no-properties": []}]})
    with pytest.raises(KeyError):
        session.hmc.lookup_by_uri("/api/cpcs/c2")
    # Removing a partition removes its NIC (and its device number).
    faked_cpc.partitions.remove("part1")
    with pytest.raises(KeyError):
        session.hmc.lookup_by_uri(faked_nic.uri)


def test_nested_changes_ids_with_spaces_and_api_features(faked):
    session, client = faked
    console = session.hmc.consoles.add({"name": "HMC1"})
    role = console.user_roles.add({"object-id": "r 1", "name": "R1"})
    user = console.users.add({"object-id": "u 1", "name": "U1",
                              "type": "standard"})
    # zhmcclient's unit tests change list properties in place.
    if "user-roles" not in user.properties:
        user.properties["user-roles"] = []
    user.properties["user-roles"].append(role.uri)
    assert client.consoles.console.users.find(name="U1").get_property(
        "user-roles") == ["/api/user-roles/r 1"]
    user.properties["user-roles"].remove(role.uri)
    assert user.properties["user-roles"] == []

    console.api_features = ["feature-a", "feature-b"]
    assert console.api_features == ["feature-a", "feature-b"]
    assert client.consoles.console.list_api_features() == [
        "feature-a", "feature-b"]

    # A removed resource keeps what it last had, as FakedHmc's objects do.
    console.users.remove("u 1")
    assert user.name == "U1"
    with pytest.raises(KeyError):
        session.hmc.lookup_by_uri(user.uri)


def test_identity_enable_disable_and_metric_values(faked):
    session, client = faked
    hmc = session.hmc
    assert (hmc.hmc_name, hmc.hmc_version, hmc.api_version) == (
        "fake-hmc", "2.15.0", "3.1")
    assert client.query_api_version()["api-minor-version"] == 1
    hmc.hmc_name = "renamed"
    assert client.query_api_version()["hmc-name"] == "renamed"

    hmc.cpcs.add(DPM_CPC).partitions.add({"object-id": "p1", "name": "P1"})
    assert hmc.enabled
    hmc.disable()
    assert not hmc.enabled
    with pytest.raises(zhmcclient.ConnectionError, match="not enabled"):
        client.cpcs.list()
    hmc.enable()
    assert len(client.cpcs.list()) == 1

    hmc.add_metric_values(FakedMetricObjectValues(
        group_name="partition-usage", resource_uri="/api/partitions/p1",
        timestamp=datetime.datetime(2024, 1, 2, 3, 4, 5,
                                    tzinfo=datetime.timezone.utc),
        values=[("processor-usage", 15), ("network-usage", 0),
                ("storage-usage", 1), ("accelerator-usage", 0),
                ("crypto-usage", 0)]))
    [values] = hmc.metric_values["partition-usage"]
    assert values.resource_uri == "/api/partitions/p1"
    assert dict(values.values)["processor-usage"] == 15
    assert "partition-usage" in hmc.metric_groups
    context = client.metrics_contexts.create({
        "anticipated-frequency-seconds": 15,
        "metric-groups": ["partition-usage"]})
    response = zhmcclient.MetricsResponse(context, context.get_metrics())
    [group] = response.metric_group_values
    [obj] = group.object_values
    assert obj.resource_uri == "/api/partitions/p1"
    assert obj.metrics["processor-usage"] == 15
    context.delete()
    # Metric values that do not fit their group are refused.
    with pytest.raises(MockHmcError):
        hmc.add_metric_values(FakedMetricObjectValues(
            "partition-usage", "/api/partitions/p1",
            datetime.datetime.now(datetime.timezone.utc),
            [("processor-usage", 1)]))


def test_faked_session_with_credentials_logs_on_for_real(faked):
    session, _ = faked
    session.hmc.consoles.add({"name": "HMC1"}).users.add({
        "object-id": "tester", "name": "tester", "type": "standard",
        "password": "pw"})
    real = mock_hmc.Session(session.db_path, "tester", "pw")
    real.logon()
    assert real.session_id
    with pytest.raises(zhmcclient.ServerAuthError):
        mock_hmc.Session(session.db_path, "tester", "wrong").logon()
    real.logoff()


def test_the_default_hmc_through_session_hmc(session, db):
    hmc = session.hmc
    assert hmc.hmc_name == "MOCKHMC1"
    assert hmc.consoles.console.name == "MOCKHMC1"
    assert [c.name for c in hmc.cpcs.list()] == ["DPM1", "CLASSIC1"]
    dpm = hmc.cpcs.list({"name": "DPM1"})[0]
    assert {p.name for p in dpm.partitions.list()} == {"LINUX1", "LINUX2"}
    # Added here, seen by another process on the same db.
    dpm.partitions.add({"name": "ADDED", **PART})
    out = cli("--db", db, "dump").stdout
    assert "ADDED" in out


def test_checkpoints_faults_clock_os_messages_and_journal(session, client,
                                                         tmp_path):
    hmc = session.hmc
    hmc.save_checkpoint("clean")
    assert "clean" in [c["name"] for c in hmc.checkpoints()]
    dpm = client.cpcs.find(name="DPM1")
    dpm.partitions.create({"name": "scratch", **PART})
    diff = hmc.diff("clean")
    assert [a["name"] for a in diff["added"]] == ["scratch"]
    hmc.restore_checkpoint("clean")
    assert dpm.partitions.list(filter_args={"name": "scratch"}) == []
    hmc.delete_checkpoint("clean")
    with pytest.raises(MockHmcError, match="no checkpoint"):
        hmc.restore_checkpoint("clean")

    # A fault rule: the next Start Partition gets 409.1, the one after runs.
    linux2 = dpm.partitions.find(name="LINUX2")
    rule = hmc.add_fault(operation="Start Partition", error="409.1", count=1)
    assert len(hmc.faults()) == 1
    with pytest.raises(zhmcclient.HTTPError) as exc:
        linux2.start()
    assert (exc.value.http_status, exc.value.reason) == (409, 1)
    linux2.start()
    assert hmc.clear_faults(rule) == 1

    # The clock moves for every process on the db.
    before, _ = hmc.clock()
    hmc.advance_clock("2h")
    after, offset = hmc.clock()
    assert after - before >= 2 * 3600 * 1000 and offset >= 7_200_000
    hmc.advance_clock(datetime.timedelta(minutes=-120))
    hmc.real_clock()
    assert hmc.clock()[1] == 0

    # OS messages, as the partition's OS would write them.
    lpar = client.cpcs.find(name="CLASSIC1").lpars.find(name="LPAR1")
    seq = hmc.add_os_message(lpar.uri, "IEE136I TEST MESSAGE", held=True)
    messages = lpar.list_os_messages()["os-messages"]
    assert any(m["sequence-number"] == seq and m["is-held"]
               for m in messages)

    # The journal holds what this test sent, tagged with its id.
    session.headers["X-Mock-Test-Id"] = "journal-test"
    dpm.pull_full_properties()
    [row] = hmc.journal(test="journal-test")
    assert (row["method"], row["uri"], row["status"]) == (
        "GET", dpm.uri, 200)

    # dump/load and fork.
    definition = hmc.dump()
    assert definition["hmc_definition"]["cpcs"][0]["properties"]["name"] \
        == "DPM1"
    hmc.fork(tmp_path / "fork.sqlite")
    forked = mock_hmc.Session(tmp_path / "fork.sqlite", USERID, PASSWORD)
    assert [c.name for c in forked.hmc.cpcs.list()] == ["DPM1", "CLASSIC1"]
    del definition["hmc_definition"]["cpcs"][1]
    forked.hmc.load(definition, users=[(USERID, PASSWORD)])
    assert [c.name for c in zhmcclient.Client(forked).cpcs.list()] == ["DPM1"]
    # The original is untouched.
    assert len(client.cpcs.list()) == 2
    json.dumps(hmc.journal())  # rows are plain JSON

"""A test module as zhmcclient users write them for FakedSession, on
zhmcclient's example definition files.

test_examples_mock_hmc.py is this file with one change, the import of
FakedSession (test_examples_modules_differ_only_in_the_import checks it):
the done-when of issue 12 that existing tests change one import.
"""

import pathlib

import pytest
import zhmcclient
from mock_hmc import Session as FakedSession

EXAMPLES = pathlib.Path(__file__).resolve().parent / "examples"
DPM_FILE = EXAMPLES / "example_mocked_z16_dpm.yaml"
CLASSIC_FILE = EXAMPLES / "example_mocked_z16_classic.yaml"


@pytest.fixture
def dpm_client():
    session = FakedSession.from_hmc_yaml_file(str(DPM_FILE), "user1",
                                              "secret")
    return zhmcclient.Client(session)


@pytest.fixture
def classic_client():
    session = FakedSession.from_hmc_yaml_file(str(CLASSIC_FILE), "user1",
                                              "secret")
    return zhmcclient.Client(session)


def test_cpc_is_listed_with_its_mode(dpm_client):
    cpcs = dpm_client.cpcs.list()
    assert [cpc.name for cpc in cpcs] == ["CPC1"]
    cpc = cpcs[0]
    assert cpc.dpm_enabled is True
    cpc.pull_full_properties()
    assert cpc.get_property("machine-type") == "3906"
    assert cpc.get_property("description") == "Faked CPC CPC1 (z16 in DPM mode)"


def test_partition_properties(dpm_client):
    cpc = dpm_client.cpcs.find(name="CPC1")
    part = cpc.partitions.find(name="PART1")
    assert part.uri == "/api/partitions/part1"
    assert part.get_property("status") == "active"
    part.pull_full_properties()
    assert part.get_property("ifl-processors") == 2
    assert part.get_property("initial-memory") == 4096
    assert part.get_property("description") == "Faked partition PART1 on CPC1"


def test_partition_filter_by_name(dpm_client):
    cpc = dpm_client.cpcs.find(name="CPC1")
    assert [p.name for p in cpc.partitions.list(
        filter_args={"name": "PART.*"})] == ["PART1"]
    assert cpc.partitions.list(filter_args={"name": "NOPE"}) == []
    with pytest.raises(zhmcclient.NotFound):
        cpc.partitions.find(name="NOPE")


def test_partition_create_update_delete(dpm_client):
    cpc = dpm_client.cpcs.find(name="CPC1")
    part = cpc.partitions.create({
        "name": "PART2", "initial-memory": 1024, "maximum-memory": 2048,
        "ifl-processors": 1})
    assert part.get_property("name") == "PART2"
    part.update_properties({"description": "updated"})
    part.pull_full_properties()
    assert part.get_property("description") == "updated"
    assert part.get_property("status") == "stopped"
    assert sorted(p.name for p in cpc.partitions.list()) == ["PART1", "PART2"]
    part.delete()
    assert [p.name for p in cpc.partitions.list()] == ["PART1"]


def test_partition_stop_and_start(dpm_client):
    part = dpm_client.cpcs.find(name="CPC1").partitions.find(name="PART1")
    part.stop()
    part.pull_full_properties()
    assert part.get_property("status") == "stopped"
    part.start()
    part.pull_full_properties()
    assert part.get_property("status") == "active"


def test_nics(dpm_client):
    part = dpm_client.cpcs.find(name="CPC1").partitions.find(name="PART1")
    nics = part.nics.list()
    assert [n.name for n in nics] == ["OSA1-NIC1"]
    nic = part.nics.find(name="OSA1-NIC1")
    nic.pull_full_properties()
    assert nic.get_property("device-number") == "0010"
    assert nic.get_property("virtual-switch-uri") == \
        "/api/virtual-switches/vs-osa1"
    new = part.nics.create({"name": "NIC2",
                            "virtual-switch-uri": "/api/virtual-switches/vs-osa1"})
    # nics.list() reads the partition's cached nic-uris: refresh it (on a
    # real HMC too; FakedSession's cache happens to alias its own list).
    part.pull_full_properties()
    assert sorted(n.name for n in part.nics.list()) == ["NIC2", "OSA1-NIC1"]
    new.delete()
    part.pull_full_properties()
    assert [n.name for n in part.nics.list()] == ["OSA1-NIC1"]


def test_adapters_and_ports(dpm_client):
    cpc = dpm_client.cpcs.find(name="CPC1")
    assert sorted(a.name for a in cpc.adapters.list()) == ["FCP1", "OSA1"]
    osa = cpc.adapters.find(name="OSA1")
    assert sorted(p.name for p in osa.ports.list()) == ["Port 0", "Port 1"]
    assert [a.name for a in cpc.adapters.list(
        filter_args={"type": "fcp"})] == ["FCP1"]
    vswitch = cpc.virtual_switches.find(name="Virtual Switch for OSA1")
    vswitch.pull_full_properties()
    assert vswitch.get_property("backing-adapter-uri") == "/api/adapters/osa1"


def test_console_users_and_roles(dpm_client):
    console = dpm_client.consoles.console
    assert "User 1" in [u.name for u in console.users.list()]
    assert "User role 1" in [r.name for r in console.user_roles.list()]
    assert sorted(r.name for r in console.password_rules.list()) == \
        ["Basic", "Password rule 1"]


def test_not_found_uri_is_http_error_404(dpm_client):
    with pytest.raises(zhmcclient.HTTPError) as info:
        dpm_client.session.get("/api/partitions/does-not-exist")
    assert info.value.http_status == 404


def test_classic_lpars(classic_client):
    cpc = classic_client.cpcs.find(name="CPC1")
    assert cpc.dpm_enabled is False
    lpars = {lpar.name: lpar for lpar in cpc.lpars.list()}
    assert sorted(lpars) == ["LPAR1", "LPAR2"]
    assert lpars["LPAR1"].get_property("status") == "operating"
    assert lpars["LPAR2"].get_property("status") == "not-activated"
    assert sorted(p.name for p in cpc.image_activation_profiles.list()) == \
        ["LPAR1", "LPAR2"]
    assert sorted(p.name for p in cpc.load_activation_profiles.list()) == \
        ["SCSILOAD", "STANDARDLOAD"]

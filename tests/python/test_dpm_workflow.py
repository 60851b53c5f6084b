"""A zhmcclient user's DPM workflow against `mock-hmc serve`, loaded with
tests/data/workflow_z16_dpm.yaml (zhmcclient's z16 DPM example plus a logon
user, a storage group, and crypto and accelerator adapters).

Every call must succeed, and the state must be what zhmcclient reports."""

import pathlib

import pytest
import zhmcclient

from conftest import serve

DEFINITION = (pathlib.Path(__file__).resolve().parents[1] / "data"
              / "workflow_z16_dpm.yaml")
USERID = "workflow"
PASSWORD = "workflow-password"
ISO_BYTES = b"\x00CD001\x01" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def workflow_hmc(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("workflow"), DEFINITION) as mock:
        yield mock


@pytest.fixture
def wf_client(workflow_hmc):
    session = zhmcclient.Session(workflow_hmc.host, USERID, PASSWORD,
                                 port=workflow_hmc.port, verify_cert=False)
    session.logon()
    yield zhmcclient.Client(session)
    session.logoff()


def test_example_content_is_served(wf_client):
    cpc = wf_client.cpcs.find(name="CPC1")
    assert cpc.dpm_enabled
    adapters = {a.name: a for a in cpc.adapters.list()}
    assert set(adapters) == {"OSA1", "FCP1", "CRYPTO1", "ZEDC1"}
    assert adapters["CRYPTO1"].get_property("adapter-family") == "crypto"
    assert adapters["ZEDC1"].get_property("adapter-family") == "accelerator"
    part1 = cpc.partitions.find(name="PART1")
    nic_names = [n.name for n in part1.nics.list()]
    assert nic_names == ["OSA1-NIC1"]
    console = wf_client.consoles.console
    assert {sg.name for sg in console.storage_groups.list()} == {
        "Storage group 1", "SG-CPC1"}


def test_partition_workflow(wf_client):
    # Arrange: the pieces of CPC1 a user would look up.
    cpc = wf_client.cpcs.find(name="CPC1")
    osa = cpc.adapters.find(name="OSA1")
    fcp = cpc.adapters.find(name="FCP1")
    crypto = cpc.adapters.find(name="CRYPTO1")
    zedc = cpc.adapters.find(name="ZEDC1")
    osa_port = osa.ports.find(name="Port 1")
    fcp_port = fcp.ports.list()[0]
    vswitch = cpc.virtual_switches.find(name="Virtual Switch for OSA1")
    sg = wf_client.consoles.console.storage_groups.find(name="SG-CPC1")

    # Create a partition with two NICs, an HBA and a virtual function.
    part = cpc.partitions.create({
        "name": "WORKFLOW1", "description": "workflow test",
        "initial-memory": 4096, "maximum-memory": 8192,
        "ifl-processors": 2})
    nic_port = part.nics.create({
        "name": "NIC-PORT", "network-adapter-port-uri": osa_port.uri})
    nic_vs = part.nics.create({
        "name": "NIC-VS", "virtual-switch-uri": vswitch.uri})
    hba = part.hbas.create({"name": "HBA1", "adapter-port-uri": fcp_port.uri})
    vf = part.virtual_functions.create({
        "name": "VF1", "adapter-uri": zedc.uri})

    part.pull_full_properties()
    assert part.get_property("status") == "stopped"
    assert sorted(n.name for n in part.nics.list()) == ["NIC-PORT", "NIC-VS"]
    assert [h.name for h in part.hbas.list()] == ["HBA1"]
    assert [v.name for v in part.virtual_functions.list()] == ["VF1"]
    hba.pull_full_properties()
    assert hba.get_property("wwpn").startswith("AFFEAFFE0000")
    devnos = {nic_port.get_property("device-number"),
              nic_vs.get_property("device-number"),
              hba.get_property("device-number"),
              vf.get_property("device-number")}
    assert len(devnos) == 4
    vswitch.pull_full_properties()
    assert nic_vs.uri in vswitch.get_property("connected-vnic-uris")
    assert [n.uri for n in vswitch.get_connected_nics()] == [
        "/api/partitions/part1/nics/nic1", nic_vs.uri]

    # Attach the storage group; both sides know of it.
    part.attach_storage_group(sg)
    part.pull_full_properties()
    assert [s.uri for s in part.list_attached_storage_groups()] == [sg.uri]
    sg.pull_full_properties()
    assert part.uri in sg.get_property("attached-partition-uris")
    assert [p.uri for p in sg.list_attached_partitions()] == [part.uri]

    # Crypto: add an adapter with two domains, change one, remove the other.
    part.increase_crypto_config(
        [crypto], [{"domain-index": 3, "access-mode": "control-usage"},
                   {"domain-index": 4, "access-mode": "control-usage"}])
    part.change_crypto_domain_config(4, "control")
    part.decrease_crypto_config([], [3])
    part.pull_full_properties()
    config = part.get_property("crypto-configuration")
    assert config["crypto-adapter-uris"] == [crypto.uri]
    assert config["crypto-domain-configurations"] == [
        {"domain-index": 4, "access-mode": "control"}]
    assert [p.uri for p in crypto.list_assigned_partitions()] == [part.uri]

    # Start, mount an ISO image while it runs, stop.
    part.start()
    part.pull_full_properties()
    assert part.get_property("status") == "active"
    part.mount_iso_image(ISO_BYTES, "install.iso", "/generic.ins")
    part.pull_full_properties()
    assert part.get_property("boot-iso-image-name") == "install.iso"
    assert part.get_property("boot-iso-ins-file") == "/generic.ins"
    part.stop()
    part.pull_full_properties()
    assert part.get_property("status") == "stopped"
    part.unmount_iso_image()
    part.pull_full_properties()
    assert part.get_property("boot-iso-image-name") is None

    # Tear everything down again.
    part.detach_storage_group(sg)
    sg.pull_full_properties()
    assert part.uri not in sg.get_property("attached-partition-uris")
    assert sg.list_attached_partitions() == []
    nic_vs.delete()
    nic_port.delete()
    hba.delete()
    vf.delete()
    part.pull_full_properties()
    assert part.get_property("nic-uris") == []
    assert part.get_property("hba-uris") == []
    assert part.get_property("virtual-function-uris") == []
    assert part.get_property("storage-group-uris") == []
    vswitch.pull_full_properties()
    assert vswitch.get_property("connected-vnic-uris") == [
        "/api/partitions/part1/nics/nic1"]
    part.delete()
    assert [p.name for p in cpc.partitions.list()] == ["PART1"]
    with pytest.raises(zhmcclient.NotFound):
        cpc.partitions.find(name="WORKFLOW1")

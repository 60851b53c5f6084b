"""Storage fulfilment, FCP discovery, the connection report and tape-link
ports through zhmcclient 1.26's own methods, against a private
`mock-hmc serve` (issue 15)."""

import pytest
import zhmcclient

from conftest import make_session, serve


@pytest.fixture
def client(tmp_path):
    with serve(tmp_path) as mock:
        sess = make_session(mock)
        sess.logon()
        yield zhmcclient.Client(sess)
        sess.logoff()


def test_fulfil_discover_and_report(client):
    cpc = client.cpcs.find(name="DPM1")
    port = cpc.adapters.find(name="FCP 0118").ports.list()[0]
    sg = client.consoles.console.storage_groups.find(name="SG-FCP1")
    boot = sg.storage_volumes.find(name="BOOT")

    boot.indicate_fulfillment_fcp("5005076810000001", "4000", port)
    sg.discover_fcp(wait_for_completion=True)
    report = sg.get_connection_report()

    boot.pull_full_properties()
    assert boot.get_property("fulfillment-state") == "complete"
    assert boot.get_property("paths")[0]["logical-unit-number"] == "0000000000004000"
    statuses = [config["volumes-configuration-status"]
                for subsys in report["fcp-storage-subsystems"]
                for config in subsys["storage-configurations"]]
    assert statuses and set(statuses) <= {"correct-volumes", "missing-volumes"}


def test_virtual_storage_resource_update(client):
    sg = client.consoles.console.storage_groups.find(name="SG-FCP1")
    vsr = sg.virtual_storage_resources.find(name="LINUX1 FCP 0118")
    vsr.update_properties({"description": "from zhmcclient"})
    vsr.pull_full_properties()
    assert vsr.get_property("description") == "from zhmcclient"
    with pytest.raises(zhmcclient.HTTPError) as exc:
        vsr.update_properties({"partition-uri": "/api/partitions/x"})
    assert (exc.value.http_status, exc.value.reason) == (400, 6)


def test_tape_link_ports(client):
    cpc = client.cpcs.find(name="DPM1")
    port = cpc.adapters.find(name="FCP 0118").ports.list()[0]
    link = client.consoles.console.tape_links.find(name="TLINK1")
    link.add_adapter_ports([port])
    link.pull_full_properties()
    assert link.get_property("adapter-port-uris") == [port.uri]
    with pytest.raises(zhmcclient.HTTPError) as exc:
        link.add_adapter_ports([port])
    assert (exc.value.http_status, exc.value.reason) == (409, 483)
    # The port backs VTR1, so it stays.
    with pytest.raises(zhmcclient.HTTPError) as exc:
        link.remove_adapter_ports([port])
    assert (exc.value.http_status, exc.value.reason) == (409, 480)


def test_certificates_import_assign_and_encoded(client):
    cpc = client.cpcs.find(name="DPM1")
    console = client.consoles.console
    cert = console.certificates.import_certificate(cpc, {
        "name": "PYCERT", "type": "secure-boot",
        "certificate": "TUlNRS1DRVJUSUZJQ0FURQ==", "format": "pem"})
    assert [c.name for c in console.certificates.list(filter_args={"name": "PYCERT"})] == ["PYCERT"]
    assert cert.get_encoded() == {"certificate": "TUlNRS1DRVJUSUZJQ0FURQ==", "format": "pem"}
    partition = cpc.partitions.find(name="LINUX1")
    partition.assign_certificate(cert)
    cert.pull_full_properties()
    assert cert.get_property("assigned-to-uris") == [partition.uri]
    with pytest.raises(zhmcclient.HTTPError) as exc:
        cert.delete()
    assert exc.value.http_status == 409
    partition.unassign_certificate(cert)
    cert.update_properties({"description": "done"})
    cert.delete()
    assert console.certificates.list() == []


def test_validate_lun_path(client):
    cpc = client.cpcs.find(name="DPM1")
    port = cpc.adapters.find(name="FCP 0118").ports.list()[0]
    sg = client.consoles.console.storage_groups.find(name="SG-FCP1")
    sg.storage_volumes.find(name="BOOT").indicate_fulfillment_fcp("5005076810000001", "4000", port)
    cpc.validate_lun_path("c05076ffe0000001", port, "5005076810000001", "4000")
    with pytest.raises(zhmcclient.HTTPError) as exc:
        cpc.validate_lun_path("c05076ffe0000001", port, "5005076810000001", "4001")
    assert (exc.value.http_status, exc.value.reason) == (409, 485)


def test_console_firmware_operations(client):
    console = client.consoles.console
    console.single_step_install(bundle_level="H25")
    console.delete_uninstalled_firmware(ec_levels=[("P41499", "7")])

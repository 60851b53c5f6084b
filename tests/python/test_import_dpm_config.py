"""Cpc.export_dpm_configuration() of the default HMC's DPM1, then
Cpc.import_dpm_configuration() into the empty DPM CPC of a second
`mock-hmc serve` (tests/data/empty_dpm_cpc.yaml: the same adapters by PCHID
under other object ids): the partitions, NICs, HBAs, virtual functions and
storage-group attachments come back."""

import pathlib

import zhmcclient

from conftest import make_session, serve

TARGET = (pathlib.Path(__file__).resolve().parents[1] / "data"
          / "empty_dpm_cpc.yaml")


def _backing(client, uri):
    """The name of the adapter or virtual switch a NIC/HBA/VF refers to."""
    if uri is None:
        return None
    base = uri.split("/network-ports")[0].split("/storage-ports")[0]
    return client.session.get(base)["name"]


def _summary(client, cpc):
    """Per partition name: its settings, children and storage groups, with
    references shown by name (URIs differ between the two HMCs)."""
    out = {}
    for p in cpc.partitions.list(full_properties=True):
        nics = sorted(
            (n.name, _backing(client, n.prop("virtual-switch-uri")),
             _backing(client, n.prop("network-adapter-port-uri")))
            for n in p.nics.list(full_properties=True))
        hbas = sorted(
            (h.name, _backing(client, h.prop("adapter-port-uri")))
            for h in p.hbas.list(full_properties=True))
        vfs = sorted(
            (v.name, _backing(client, v.prop("adapter-uri")))
            for v in p.virtual_functions.list(full_properties=True))
        groups = sorted(g.name for g in p.list_attached_storage_groups())
        out[p.name] = {
            "ifl": p.prop("ifl-processors"),
            "memory": p.prop("initial-memory"),
            "nics": nics, "hbas": hbas, "vfs": vfs, "groups": groups,
        }
    return out


def test_export_then_import_into_an_empty_cpc_reproduces_it(tmp_path):
    (tmp_path / "src").mkdir()
    with serve(tmp_path / "src") as src_hmc:
        src = zhmcclient.Client(make_session(src_hmc))
        dpm1 = src.cpcs.find(name="DPM1")
        config = dpm1.export_dpm_configuration()
        expected = _summary(src, dpm1)
        src.session.logoff()
    (tmp_path / "dst").mkdir()
    with serve(tmp_path / "dst", TARGET) as dst_hmc:
        dst = zhmcclient.Client(make_session(dst_hmc))
        dpm2 = dst.cpcs.find(name="DPM2")
        assert not dpm2.partitions.list()

        result = dpm2.import_dpm_configuration(config)

        assert result is None
        got = _summary(dst, dpm2)
        assert sorted(got) == ["LINUX1", "LINUX2"]
        assert got == expected
        sg = dst.consoles.console.storage_groups.find(name="SG-FCP1")
        assert sg.get_property("cpc-uri") == dpm2.uri
        # The capacity groups, tape links and templates came along.
        assert [g.name for g in dpm2.capacity_groups.list()] == ["CG1"]
        console = dst.consoles.console
        link = console.tape_links.find(name="TLINK1")
        assert link.get_property("cpc-uri") == dpm2.uri
        assert console.storage_group_templates.find(name="ST-FCP")
        dst.session.logoff()

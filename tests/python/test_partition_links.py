"""Partition links through the real zhmcclient (1.26) against `mock-hmc serve`."""

import pytest
import zhmcclient

from conftest import unique_name


@pytest.fixture
def console(client):
    return client.consoles.console


@pytest.fixture
def link_factory(console, dpm_cpc):
    """Creates partition links on DPM1; deletes what is left of them afterwards."""
    created = []

    def create(link_type="hipersockets", **extra):
        props = {"name": unique_name("pl"), "type": link_type,
                 "cpc-uri": dpm_cpc.uri}
        props.update(extra)
        link = console.partition_links.create(props)
        created.append(link)
        return link

    yield create
    for link in created:
        try:
            link.delete(force_detach=True)
        except zhmcclient.HTTPError as exc:
            if exc.http_status != 404:
                raise
        except zhmcclient.CeasedExistence:
            pass


def test_create_returns_the_link_at_its_location_uri(console, link_factory):
    link = link_factory(description="made by pytest")
    assert link.uri.startswith("/api/partition-links/")
    link.pull_full_properties()
    assert link.get_property("description") == "made by pytest"
    assert link.get_property("state") == "incomplete"
    assert link.get_property("cpc-name") == "DPM1"
    assert link.get_property("starting-device-number") == "7400"


def test_list_and_find_by_name_and_type(console, link_factory):
    hs = link_factory()
    smc = link_factory("smc-d")
    names = {pl.name for pl in console.partition_links.list()}
    assert {hs.name, smc.name} <= names
    found = console.partition_links.find(name=smc.name)
    assert found.uri == smc.uri
    assert found.get_property("type") == "smc-d"
    listed = console.partition_links.list(filter_args={"type": "smc-d"})
    assert smc.uri in [pl.uri for pl in listed]
    assert hs.uri not in [pl.uri for pl in listed]


def test_attach_and_detach_network_link_manage_nics(
        console, dpm_cpc, link_factory, partition_factory):
    part1 = partition_factory()
    part2 = partition_factory()
    link = link_factory()

    part1.attach_network_link(link, number_of_nics=2)
    part2.attach_network_link(
        link, nic_property_list=[{"device-number": "1300", "vlan-id": 53}])

    link.pull_full_properties()
    assert link.get_property("state") == "complete"
    attached = {p.uri for p in link.list_attached_partitions()}
    assert attached == {part1.uri, part2.uri}
    part1.pull_full_properties()
    assert part1.get_property("partition-link-uris") == [link.uri]
    assert len(part1.nics.list()) == 2
    nic2 = part2.nics.list(full_properties=True)[0]
    assert nic2.get_property("device-number") == "1300"
    assert nic2.get_property("vlan-id") == 53
    assert [pl.uri for pl in part2.list_attached_partition_links()] == \
        [link.uri]

    part1.detach_network_link(link)

    link.pull_full_properties()
    assert link.get_property("state") == "incomplete"
    assert [p.uri for p in link.list_attached_partitions()] == [part2.uri]
    # NicManager.list() reads the partition's cached `nic-uris`.
    part1.pull_full_properties()
    assert part1.nics.list() == []
    assert part1.get_property("partition-link-uris") == []


def test_attach_and_detach_ctc_link(
        console, dpm_cpc, link_factory, partition_factory):
    part1 = partition_factory()
    part2 = partition_factory()
    adapter = dpm_cpc.adapters.find(name="FCP 0118")
    link = link_factory("ctc", paths=[{
        "adapter-port-uri": adapter.uri,
        "connecting-adapter-port-uri": adapter.uri}])

    part1.attach_ctc_link(link)
    part2.attach_ctc_link(link)

    link.pull_full_properties()
    assert link.get_property("state") == "complete"
    assert {p.uri for p in link.list_attached_partitions()} == \
        {part1.uri, part2.uri}
    devices = link.get_property("paths")[0]["devices"]
    assert len(devices) == 1
    assert len(devices[0]["endpoint-pair"][0]["device-numbers"]) == 4

    part2.detach_ctc_link(link)
    link.pull_full_properties()
    assert link.get_property("paths")[0]["devices"] == []


def test_update_properties_renames(console, link_factory):
    link = link_factory()
    new_name = unique_name("renamed")
    link.update_properties({"name": new_name, "description": "updated"})
    assert console.partition_links.find(name=new_name).uri == link.uri
    link.pull_full_properties()
    assert link.get_property("description") == "updated"


def test_delete_refuses_active_partitions_unless_forced(
        console, link_factory, partition_factory):
    part = partition_factory()
    link = link_factory("smc-d", partitions=[part.uri])
    part.start()

    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        link.delete()
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 100)

    link.delete(force_detach=True)
    with pytest.raises(zhmcclient.NotFound):
        console.partition_links.find(name=link.name)
    part.pull_full_properties()
    assert part.get_property("partition-link-uris") == []

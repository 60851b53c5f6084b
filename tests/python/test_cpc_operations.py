"""Compatibility tests for the CPC operations of any mode: zhmcclient 1.26's
Cpc auto-start, sustainability, STP and firmware methods, against their own
`mock-hmc serve`."""

import datetime

import pytest
import zhmcclient

from conftest import make_session, serve


@pytest.fixture(scope="module")
def hmc(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("mock-hmc-cpc-ops")) as mock:
        yield mock


@pytest.fixture
def client(hmc):
    sess = make_session(hmc)
    sess.logon()
    yield zhmcclient.Client(sess)
    sess.logoff()


def test_set_auto_start_list_of_partitions_and_groups(client):
    cpc = client.cpcs.find(name="DPM1")
    linux1 = cpc.partitions.find(name="LINUX1")
    linux2 = cpc.partitions.find(name="LINUX2")
    cpc.set_auto_start_list([(linux1, 0), ([linux2], "G1", "group", 10)])
    cpc.pull_full_properties()
    entries = cpc.get_property("auto-start-list")
    assert entries[0] == {"type": "partition", "post-start-delay": 0,
                          "partition-uri": linux1.uri}
    assert entries[1]["partition-uris"] == [linux2.uri]


def test_sustainability_data_of_cpc_lpar_and_partition(client):
    classic = client.cpcs.find(name="CLASSIC1")
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    end = start + datetime.timedelta(days=1)
    data = classic.get_sustainability_data(
        range="custom", resolution="one-hour",
        custom_range_start=start, custom_range_end=end)
    points = data["total-wattage"]
    assert len(points) == 25  # both ends are on the hour
    assert points[0]["timestamp"] == start
    assert isinstance(points[0]["data"], int)
    lpar = classic.lpars.find(name="LPAR1")
    week = lpar.get_sustainability_data(range="last-week",
                                        resolution="one-day")
    assert len(week["wattage"]) == 7
    part = client.cpcs.find(name="DPM1").partitions.find(name="LINUX1")
    day = part.get_sustainability_data(range="last-day",
                                       resolution="fifteen-minutes")
    assert len(day["processor-utilization"]) in (96, 97)


def test_stp_join_swap_change_set_and_leave(client):
    dpm = client.cpcs.find(name="DPM1")
    classic = client.cpcs.find(name="CLASSIC1")
    dpm.join_ctn("MOCKCTN")
    dpm.swap_current_time_server("MOCKCTN")
    dpm.change_stp_id("CTN2")
    node = zhmcclient.STPNode(dpm.uri, "003931", "A01", "IBM", "02",
                              "000000012345", "DPM1")
    dpm.set_stp_config("CTN2", None, True, node, None, None, "preferred")
    dpm.pull_full_properties()
    config = dpm.get_property("stp-configuration")
    assert config["preferred-time-server"]["node-name"] == "DPM1"
    classic.leave_ctn()
    classic.pull_full_properties()
    assert classic.get_property("stp-id") is None
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        classic.leave_ctn()
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 0)


def test_firmware_operations_of_a_cpc(client):
    cpc = client.cpcs.find(name="DPM1")
    message = cpc.install_and_activate(bundle_level="S81")
    assert "S81" in message
    cpc.single_step_install(bundle_level="S82")
    cpc.delete_retrieved_internal_code(ec_levels=[("P41499", "123")])

"""Compatibility tests for classic mode: zhmcclient 1.26's Lpar,
ActivationProfile and Cpc (classic) methods against `mock-hmc serve`.

The tests change LPARs and profiles, so they run against their own server
(a fresh default HMC for this module), not the session-wide one.
"""

import time

import pytest
import zhmcclient

from conftest import make_session, serve

# zhmcclient waits 10 s between job polls and 1 s between status checks;
# a job complete at the first poll and an LPAR already in its end status
# finish far below this.
FAST = 2.0


@pytest.fixture(scope="module")
def classic_hmc(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("mock-hmc-classic")) as mock:
        yield mock


@pytest.fixture
def classic_client(classic_hmc):
    sess = make_session(classic_hmc)
    sess.logon()
    yield zhmcclient.Client(sess)
    sess.logoff()


@pytest.fixture
def cpc(classic_client):
    return classic_client.cpcs.find(name="CLASSIC1")


def timed(call, *args, **kwargs):
    """Runs call(*args, **kwargs), asserts it is fast, returns its result."""
    start = time.monotonic()
    result = call(*args, **kwargs)
    elapsed = time.monotonic() - start
    assert elapsed < FAST, f"{call.__name__} took {elapsed:.1f}s"
    return result


def status(lpar):
    lpar.pull_full_properties()
    return lpar.get_property("status")


# --- LPARs ------------------------------------------------------------------

def test_lpar_lifecycle_waits_for_each_status_without_polling(cpc):
    lpar = cpc.lpars.find(name="LPAR2")
    assert status(lpar) == "not-activated"

    assert timed(lpar.activate, wait_for_completion=True) is None
    assert status(lpar) == "not-operating"
    assert lpar.get_property("last-used-activation-profile") == "LPAR2"

    assert timed(lpar.load, load_address="0A000", load_parameter="PARM",
                 wait_for_completion=True) is None
    assert status(lpar) == "operating"
    assert lpar.get_property("last-used-load-address") == "0A000"

    timed(lpar.stop)
    assert status(lpar) == "not-operating"
    timed(lpar.start)
    assert status(lpar) == "operating"
    timed(lpar.psw_restart)
    assert status(lpar) == "operating"
    timed(lpar.reset_normal, force=True)
    assert status(lpar) == "not-operating"
    timed(lpar.reset_clear)
    assert status(lpar) == "not-operating"
    assert lpar.get_property("memory") == ""

    timed(lpar.scsi_load, "1F00", "5005076810000001", "0001000000000000",
          wait_for_completion=True)
    assert status(lpar) == "operating"
    assert lpar.get_property("last-used-load-type") == "ipltype-scsi"
    timed(lpar.scsi_dump, "1F00", "5005076810000001", "0001000000000000",
          force=True)
    assert lpar.prop("last-used-load-type") is not None
    timed(lpar.nvme_load, "2F00", force=True)
    assert status(lpar) == "operating"
    assert lpar.get_property("last-used-load-type") == "ipltype-nvme"
    timed(lpar.nvme_dump, "2F00", force=True)
    timed(lpar.load_from_ftp, "ftp.example.com", "user", "secret",
          "/images/linux.ins")
    assert status(lpar) == "operating"

    assert timed(lpar.deactivate, force=True) is None
    assert status(lpar) == "not-activated"


def test_activate_with_load_at_activation_waits_for_operating(cpc):
    lpar = cpc.lpars.find(name="LPAR2")
    profile = cpc.image_activation_profiles.find(name="LPAR2")
    profile.update_properties({"load-at-activation": True})
    try:
        timed(lpar.activate)
        assert status(lpar) == "operating"
        assert lpar.get_property("last-used-load-address") == "05678"
    finally:
        profile.update_properties({"load-at-activation": False})
        lpar.deactivate(force=True)


def test_activate_with_a_load_profile_loads(cpc):
    lpar = cpc.lpars.find(name="LPAR2")
    timed(lpar.activate, activation_profile_name="DEFAULTLOAD")
    try:
        assert status(lpar) == "operating"
        assert lpar.get_property("last-used-activation-profile") == \
            "DEFAULTLOAD"
    finally:
        lpar.deactivate(force=True)


def test_lpar_errors_are_http_errors_with_the_hmc_codes(cpc):
    lpar1 = cpc.lpars.find(name="LPAR1")
    lpar2 = cpc.lpars.find(name="LPAR2")
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        lpar1.activate()
    assert (exc_info.value.http_status, exc_info.value.reason) == (500, 263)
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        lpar2.load(load_address="1234")
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 0)
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        lpar2.stop()
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 1)
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        lpar2.update_properties({"description": "x"})
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 1)


def test_update_lpar_properties_on_an_operating_classic_cpc(cpc):
    lpar = cpc.lpars.find(name="LPAR1")
    lpar.update_properties({"description": "updated by zhmcclient"})
    lpar.pull_full_properties()
    assert lpar.get_property("description") == "updated by zhmcclient"


# --- activation profiles ----------------------------------------------------

@pytest.mark.parametrize("kind", ["reset", "image", "load"])
def test_activation_profile_create_get_update_delete(cpc, kind):
    manager = getattr(cpc, f"{kind}_activation_profiles")
    name = f"NEW{kind.upper()}"[:16]
    profile = manager.create({"profile-name": name,
                              "description": "created"})
    assert profile.uri == \
        f"/api/cpcs/classic1/{kind}-activation-profiles/{name}"
    found = manager.find(name=name)
    assert found.get_property("description") == "created"
    profile.update_properties({"description": "updated"})
    profile.pull_full_properties()
    assert profile.get_property("description") == "updated"
    assert profile.get_property("name") == name
    profile.delete()
    assert name not in [p.name for p in manager.list()]


def test_image_profiles_list_additional_properties_but_no_passwords(cpc):
    profile = cpc.image_activation_profiles.find(name="LPAR1")
    profile.update_properties({"ssc-master-pw": "hidden"})
    profiles = cpc.image_activation_profiles.list(
        additional_properties=["operating-mode", "ssc-master-pw"])
    by_name = {p.name: p.properties for p in profiles}
    assert by_name["LPAR1"]["operating-mode"] == "linux"
    assert "ssc-master-pw" not in by_name["LPAR1"]
    fresh = cpc.image_activation_profiles.resource_object(profile.uri)
    fresh.pull_full_properties()
    assert "ssc-master-pw" not in fresh.properties


def test_activate_reads_the_operating_mode_of_the_lpars_image_profile(cpc):
    profile = cpc.image_activation_profiles.find(name="LPAR2")
    profile.update_properties({"operating-mode": "zaware"})
    lpar = cpc.lpars.find(name="LPAR2")
    try:
        timed(lpar.activate)
        # zhmcclient waits for 'operating' with a zaware profile.
        assert status(lpar) == "operating"
        assert lpar.get_property("activation-mode") == "zaware"
    finally:
        profile.update_properties({"operating-mode": "linux"})
        lpar.deactivate(force=True)


# --- the classic CPC -------------------------------------------------------

def test_cpc_deactivate_and_activate(cpc):
    timed(cpc.deactivate, force=True)
    cpc.pull_full_properties()
    assert cpc.get_property("status") == "no-power"
    assert status(cpc.lpars.find(name="LPAR1")) == "not-activated"
    timed(cpc.activate, "CLASSIC1")
    cpc.pull_full_properties()
    assert cpc.get_property("status") == "operating"
    assert cpc.get_property("last-used-activation-profile") == "CLASSIC1"
    # Bring LPAR1 back to where the other tests expect it.
    lpar1 = cpc.lpars.find(name="LPAR1")
    lpar1.activate()
    lpar1.load()
    assert status(lpar1) == "operating"


def test_cpc_activate_of_an_active_cpc_without_force_is_409_1(cpc):
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        cpc.activate("CLASSIC1")
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 1)


def test_export_and_import_profiles_move_the_profiles(cpc):
    cpc.export_profiles(3)
    profile = cpc.load_activation_profiles.find(name="DEFAULTLOAD")
    profile.delete()
    assert "DEFAULTLOAD" not in \
        [p.name for p in cpc.load_activation_profiles.list()]
    cpc.import_profiles(3)
    restored = cpc.load_activation_profiles.find(name="DEFAULTLOAD")
    assert restored.get_property("ipl-address") == "01234"


def test_add_and_remove_temporary_capacity(cpc):
    cpc.add_temporary_capacity("R1", software_model="706",
                               processor_info={"ifl": 2}, test=True)
    cpc.pull_full_properties()
    assert cpc.get_property("processor-count-general-purpose") == 6
    assert cpc.get_property("processor-count-ifl") == 4
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        cpc.add_temporary_capacity("R2", software_model="707")
    assert (exc_info.value.http_status, exc_info.value.reason) == (400, 277)
    cpc.remove_temporary_capacity("R1", software_model="704",
                                  processor_info={"ifl": 2})
    cpc.pull_full_properties()
    assert cpc.get_property("processor-count-general-purpose") == 4
    assert cpc.get_property("software-model-permanent-plus-temporary") \
        is None
    assert cpc.get_property("processor-count-ifl") == 2


# --- OS messages ------------------------------------------------------------

def test_list_os_messages_of_an_lpar_with_the_query_parameters(cpc):
    lpar = cpc.lpars.find(name="LPAR1")
    result = lpar.list_os_messages()
    texts = [m["message-text"] for m in result["os-messages"]]
    assert texts[:2] == ["Uncompressing Linux... ", "Ok, booting the kernel."]
    held = lpar.list_os_messages(is_held=True)["os-messages"]
    assert [m["sequence-number"] for m in held] == [2]
    assert held[0]["is-priority"] is True
    first = lpar.list_os_messages(begin=1, end=2, max_messages=1)
    assert [m["sequence-number"] for m in first["os-messages"]] == [1]


def test_send_os_command_to_an_lpar_is_listed_as_a_message(cpc):
    lpar = cpc.lpars.find(name="LPAR1")
    before = lpar.list_os_messages()["os-messages"]
    lpar.send_os_command("D IPLINFO", is_priority=True)
    after = lpar.list_os_messages(begin=len(before))["os-messages"]
    assert [m["message-text"] for m in after] == ["D IPLINFO"]
    assert after[0]["is-priority"] is True


def test_open_os_message_channel_of_an_lpar_is_a_session_topic(
        cpc, classic_client):
    lpar = cpc.lpars.find(name="LPAR1")
    topic = lpar.open_os_message_channel(include_refresh_messages=True)
    topics = classic_client.session.get_notification_topics()
    os_topics = [t for t in topics
                 if t["topic-type"] == "os-message-notification"]
    assert [(t["topic-name"], t["object-uri"]) for t in os_topics] == \
        [(topic, lpar.uri)]
    with pytest.raises(zhmcclient.HTTPError) as exc_info:
        lpar.open_os_message_channel()
    assert (exc_info.value.http_status, exc_info.value.reason) == (409, 331)


def test_partition_os_messages_commands_channel_and_console(classic_client):
    dpm = classic_client.cpcs.find(name="DPM1")
    part = dpm.partitions.find(name="LINUX1")
    texts = [m["message-text"] for m in part.list_os_messages()["os-messages"]]
    assert texts[:2] == ["Linux version 6.8.0 (buildd@s390x) #1 SMP",
                         "linux1 login:"]
    part.send_os_command("uname -a")
    last = part.list_os_messages(begin=len(texts))["os-messages"]
    assert [m["message-text"] for m in last] == ["uname -a"]
    topic = part.open_os_message_channel()
    assert topic
    uri = part.create_os_websocket()
    assert uri.startswith("/api/websock/")

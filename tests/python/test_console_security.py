"""Compatibility tests for the console side with the real zhmcclient (1.26):
Submit Requests behind list(full_properties=True), the permitted lists,
security objects, custom groups, hardware messages, the logs, Get
Inventory, API features, and Restart / Shutdown Console."""

import os
import pathlib
import subprocess
import time

import pytest
import zhmcclient

from conftest import DEFAULT_BIN, make_session, serve, unique_name


def _console(client):
    return client.consoles.console


# --- Submit Requests: list(full_properties=True) ----------------------------

def test_full_property_lists_of_every_manager(client, dpm_cpc):
    console = _console(client)
    classic = client.cpcs.find(name="CLASSIC1")
    managers = [
        client.cpcs, console.users, console.user_roles, console.password_rules,
        console.tasks, console.user_patterns, console.ldap_server_definitions,
        console.mfa_server_definitions, console.sso_server_definitions,
        console.groups, console.hw_messages, console.storage_groups,
        console.storage_group_templates, console.tape_links,
        console.tape_library, dpm_cpc.partitions, dpm_cpc.adapters,
        dpm_cpc.virtual_switches, dpm_cpc.capacity_groups, dpm_cpc.hw_messages,
        classic.lpars, classic.image_activation_profiles,
        classic.reset_activation_profiles, classic.load_activation_profiles,
        console.partition_links, console.unmanaged_cpcs,
    ]
    for manager in managers:
        short = manager.list()
        full = manager.list(full_properties=True)
        assert [r.uri for r in full] == [r.uri for r in short], manager
        for r in full:
            assert r.full_properties, (manager, r.uri)
            assert r.properties == r.manager.session.get(r.uri), r.uri


def test_full_user_list_has_the_properties_tools_read(client):
    users = _console(client).users.list(full_properties=True)
    assert users
    for user in users:
        props = user.properties
        assert "password" not in props
        for name in ("user-roles", "default-group-uri",
                     "primary-mfa-server-definition-uri",
                     "backup-mfa-server-definition-uri", "password-rule-uri",
                     "ldap-server-definition-uri", "authentication-type"):
            assert name in props, (user.name, name)


def test_submit_requests_reports_each_result(session):
    result = session.post("/api/services/aggregation/submit", body={
        "requests": [
            {"method": "GET", "uri": "/api/cpcs/dpm1", "id": "a"},
            {"method": "GET", "uri": "/api/cpcs/nope", "id": "b"},
        ]})
    assert [r["id"] for r in result] == ["a", "b"]
    assert result[0]["status"] == 200 and result[0]["body"]["name"] == "DPM1"
    assert result[1]["status"] == 404 and result[1]["body"]["reason"] == 1


# --- permitted lists ---------------------------------------------------------

def test_list_permitted_partitions_with_filters(client):
    console = _console(client)
    all_parts = console.list_permitted_partitions()
    assert {p.name for p in all_parts} >= {"LINUX1", "LINUX2"}
    active = console.list_permitted_partitions(
        filter_args={"status": "active", "cpc-name": "DPM1"})
    assert [p.name for p in active] == ["LINUX1"]
    assert active[0].manager.parent.name == "DPM1"
    full = console.list_permitted_partitions(
        filter_args={"name": "LINUX2"}, full_properties=True)
    assert full[0].get_property("maximum-memory") == 4096
    extra = console.list_permitted_partitions(
        filter_args={"name": "LINUX1"}, additional_properties=["ifl-processors"])
    assert extra[0].properties["ifl-processors"] == 2


def test_list_permitted_lpars_and_adapters(client):
    console = _console(client)
    lpars = console.list_permitted_lpars(filter_args={"name": "LPAR1"})
    assert [lp.name for lp in lpars] == ["LPAR1"]
    assert lpars[0].get_property("cpc-name") == "CLASSIC1"
    adapters = console.list_permitted_adapters(
        filter_args={"adapter-family": "osa"}, full_properties=True)
    assert sorted(a.name for a in adapters) == ["OSA 0108", "OSA 0109"]
    assert all(a.full_properties for a in adapters)


# --- security objects --------------------------------------------------------

def test_user_lifecycle_with_roles_and_sessions(mock_hmc, client):
    console = _console(client)
    name = unique_name("user")
    rule = console.password_rules.find(name="Basic")
    user = console.users.create({
        "name": name, "type": "standard", "authentication-type": "local",
        "password": "secret12", "password-rule-uri": rule.uri})
    role = console.user_roles.find(name="hmc-operator-tasks")
    user.add_user_role(role)
    user.pull_full_properties()
    assert user.get_property("user-roles") == [role.uri]
    user.update_properties({"description": "changed"})
    user.pull_full_properties()
    assert user.get_property("description") == "changed"

    theirs = make_session(mock_hmc, name, "secret12")
    theirs.logon()
    user.delete()
    with pytest.raises(zhmcclient.ServerAuthError):
        # The deleted user's session is gone (403.5), and zhmcclient's
        # logon again is refused (403.0).
        theirs.get("/api/cpcs")
    with pytest.raises(zhmcclient.NotFound):
        console.users.find(name=name)


def test_disabled_users_cannot_log_on(mock_hmc, client):
    console = _console(client)
    name = unique_name("user")
    user = console.users.create({
        "name": name, "type": "standard", "authentication-type": "local",
        "password": "secret12",
        "password-rule-uri": "/api/console/password-rules/basic"})
    user.update_properties({"disabled": True})
    with pytest.raises(zhmcclient.ServerAuthError):
        make_session(mock_hmc, name, "secret12").logon()
    user.delete()


def test_user_role_permissions(client):
    console = _console(client)
    role = console.user_roles.create({"name": unique_name("role")})
    assert role.get_property("associated-system-defined-user-role-uri") == \
        "/api/user-roles/hmc-operator-tasks"
    role.add_permission("partition")
    role.pull_full_properties()
    assert role.get_property("permissions")[0]["permitted-object"] == "partition"
    role.remove_permission("partition")
    with pytest.raises(zhmcclient.HTTPError) as exc:
        role.remove_permission("partition")
    assert (exc.value.http_status, exc.value.reason) == (409, 0)
    role.update_properties({"description": "d"})
    role.delete()


def test_server_definitions_and_password_rules(client):
    console = _console(client)
    rule = console.password_rules.create({"name": unique_name("rule")})
    rule.update_properties({"min-length": 12})
    rule.pull_full_properties()
    assert rule.get_property("min-length") == 12
    ldap = console.ldap_server_definitions.create({
        "name": unique_name("ldap"), "primary-hostname-ipaddr": "ldap.example",
        "search-distinguished-name": "uid={0}", "bind-password": "pw"})
    assert "bind-password" not in ldap.manager.session.get(ldap.uri)
    mfa = console.mfa_server_definitions.create({
        "name": unique_name("mfa"), "hostname-ipaddr": "mfa.example"})
    mfa.update_properties({"port": 1234})
    sso = console.sso_server_definitions.create({
        "name": unique_name("sso"), "type": "oidc", "client-id": "i",
        "client-secret": "s", "issuer-url": "https://i",
        "authentication-url": "https://a", "token-url": "https://t",
        "jwks-url": "https://j"})
    for obj in (rule, ldap, mfa, sso):
        obj.delete()


def test_user_patterns_reorder(client):
    console = _console(client)
    patterns = [console.user_patterns.create({
        "name": unique_name("pat"), "pattern": f"p{i}.*", "type": "glob",
        "retention-time": 1, "template-name-override": "t"}) for i in range(3)]
    console.user_patterns.reorder([patterns[1], patterns[0]])
    names = [p.name for p in console.user_patterns.list()]
    assert names[-2:] == [patterns[1].name, patterns[0].name]
    for p in patterns:
        p.delete()


# --- custom groups and hardware messages ------------------------------------

def test_custom_group_members(client, partition_factory):
    console = _console(client)
    part = partition_factory()
    group = console.groups.create({"name": unique_name("group")})
    group.add_member(part.uri)
    assert group.list_members() == [{"object-uri": part.uri, "name": part.name}]
    with pytest.raises(zhmcclient.HTTPError) as exc:
        group.add_member(part.uri)
    assert exc.value.http_status == 409
    part.delete()
    group.pull_full_properties()
    assert group.get_property("members") == []
    group.delete()


def test_hardware_message_service_operations(client, dpm_cpc):
    console = _console(client)
    msgs = console.hw_messages.list(full_properties=True)
    serviceable = [m for m in msgs if m.get_property("service-supported")]
    info = serviceable[0].get_service_information(delete=False)
    assert info["machine-type"] == "7382"
    cpc_msgs = dpm_cpc.hw_messages.list()
    assert cpc_msgs
    plain = [m for m in console.hw_messages.list(full_properties=True)
             if not m.get_property("service-supported")]
    with pytest.raises(zhmcclient.HTTPError) as exc:
        plain[0].request_service()
    assert (exc.value.http_status, exc.value.reason) == (400, 340)


# --- logs, inventory, features -----------------------------------------------

def test_audit_and_security_logs_record_logons(client):
    console = _console(client)
    entries = console.get_security_log()
    assert any(e["event-id"] == "1941" and e["userid"] == "ensadmin"
               for e in entries)
    assert isinstance(console.get_audit_log(), list)


def test_get_inventory_and_export_dpm_configuration(client, dpm_cpc):
    items = client.get_inventory(["dpm-resources", "console-resources"])
    classes = {i["class"] for i in items}
    assert {"adapter", "partition", "nic", "console", "user"} <= classes
    config = dpm_cpc.export_dpm_configuration(include_unused_adapters=True)
    assert {p["name"] for p in config["partitions"]} >= {"LINUX1", "LINUX2"}
    assert config["adapters"]


def test_api_features_default_to_none(client, dpm_cpc):
    assert _console(client).list_api_features() == []
    assert dpm_cpc.list_api_features() == []


# --- restart and shutdown, on a server of their own --------------------------

def test_restart_and_shutdown_console(tmp_path):
    binary = pathlib.Path(os.environ.get("MOCK_HMC_BIN", str(DEFAULT_BIN)))
    with serve(tmp_path) as mock:
        sess = make_session(mock)
        client = zhmcclient.Client(sess)
        console = client.consoles.console
        console.restart(wait_for_available=False)
        with pytest.raises(zhmcclient.Error):
            client.query_api_version()
        deadline = time.monotonic() + 30
        while True:
            try:
                client.query_api_version()
                break
            except zhmcclient.Error:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        # The restart ended the session; zhmcclient logs on again.
        assert client.cpcs.find(name="DPM1").name == "DPM1"

        console.shutdown(force=True)
        with pytest.raises(zhmcclient.Error):
            client.query_api_version()
        subprocess.run([str(binary), "--db", str(mock.db), "enable"],
                       capture_output=True, check=True)
        assert client.query_api_version()["hmc-name"] == "MOCKHMC1"
        assert client.cpcs.find(name="DPM1").name == "DPM1"
        sess.logoff()

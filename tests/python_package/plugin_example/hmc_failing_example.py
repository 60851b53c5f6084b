"""A failing test: its report shows the requests it sent (test_plugin.py)."""


def test_fails_after_requests(hmc_client):
    hmc_client.cpcs.find(name="DPM1").pull_full_properties()
    assert False, "fails on purpose"

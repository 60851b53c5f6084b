"""Metrics against `mock-hmc serve`: zhmcclient's metrics contexts and
MetricsResponse parser, and zhmc-prometheus-exporter 2.4 from PyPI
answering its /metrics with the default HMC's partitions and CPCs, from
prepared (`mock-hmc metrics set`) and synthetic (`serve --metrics`) values."""

import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import zhmcclient

from conftest import (DEFAULT_BIN, PASSWORD, USERID, free_loopback_host,
                      serve)

BIN = pathlib.Path(os.environ.get("MOCK_HMC_BIN", str(DEFAULT_BIN)))


def mock_hmc_cli(db, *args):
    done = subprocess.run([str(BIN), "--db", str(db), *args],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def set_partition_usage(db, uri, processor_usage):
    mock_hmc_cli(db, "metrics", "set", "partition-usage", uri,
                 f"processor-usage={processor_usage}", "network-usage=1",
                 "storage-usage=2", "accelerator-usage=0", "crypto-usage=0")


def test_zhmcclient_reads_prepared_and_synthetic_metrics(tmp_path):
    with serve(tmp_path, args=("--metrics", "synthetic:5")) as mock:
        session = zhmcclient.Session(mock.host, USERID, PASSWORD,
                                     port=mock.port, verify_cert=False)
        client = zhmcclient.Client(session)
        cpc = client.cpcs.find(name="DPM1")
        linux1 = cpc.partitions.find(name="LINUX1")
        set_partition_usage(mock.db, linux1.uri, 42)
        context = client.metrics_contexts.create({
            "anticipated-frequency-seconds": 15,
            "metric-groups": ["partition-usage", "dpm-system-usage-overview"]})
        response = zhmcclient.MetricsResponse(context, context.get_metrics())
        groups = {g.name: g for g in response.metric_group_values}
        assert set(groups) == {"partition-usage", "dpm-system-usage-overview"}
        usage = {ov.resource_uri: ov.metrics
                 for ov in groups["partition-usage"].object_values}
        assert usage[linux1.uri]["processor-usage"] == 42
        assert usage[linux1.uri]["storage-usage"] == 2
        # Every partition of the CPC has a row (synthetic for the others).
        for part in cpc.partitions.list():
            assert part.uri in usage
            assert 0 <= usage[part.uri]["processor-usage"] <= 100
        system = groups["dpm-system-usage-overview"].object_values
        assert [ov.resource_uri for ov in system] == [cpc.uri]
        assert isinstance(system[0].metrics["temperature-celsius"], float)
        context.delete()
        with pytest.raises(zhmcclient.HTTPError) as exc:
            context.get_metrics()
        assert (exc.value.http_status, exc.value.reason) == (404, 1)
        session.logoff()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port, want, timeout=60.0):
    """The exporter's /metrics text once it holds every line pattern in
    `want` (it collects in the background)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                        timeout=5) as r:
                text = r.read().decode()
            if all(re.search(w, text, re.M) for w in want):
                return text
        except OSError:
            pass
        time.sleep(0.5)
    missing = [w for w in want if not re.search(w, text, re.M)]
    pytest.fail(f"exporter /metrics lacks {missing}:\n{text[-3000:]}")


GROUPS = [
    "cpc-usage-overview", "logical-partition-usage", "channel-usage",
    "crypto-usage", "flash-memory-usage", "roce-usage",
    "dpm-system-usage-overview", "partition-usage", "adapter-usage",
    "network-physical-adapter-port", "partition-attached-network-interface",
    "zcpc-environmentals-and-power", "zcpc-processor-usage",
    "environmental-power-status",
]

# Resource-based groups read properties the default HMC's resources do not
# all have (e.g. `cp-absolute-processor-capping`), and the exporter 2.4
# then fails its whole /metrics answer; auto-update itself is tested in
# test_notifications.py.
RESOURCE_GROUPS = [
    "logical-partition-resource", "partition-resource",
    "storagegroup-resource", "storagevolume-resource", "adapter-resource",
    "cpc-resource",
]


def test_zhmc_prometheus_exporter_exports_partition_and_cpc_metrics(tmp_path):
    host = free_loopback_host()
    with serve(tmp_path, host=host, port=6794,
               args=("--metrics", "synthetic:1")) as mock:
        session = zhmcclient.Session(host, USERID, PASSWORD,
                                     verify_cert=False)
        client = zhmcclient.Client(session)
        linux1 = client.cpcs.find(name="DPM1").partitions.find(name="LINUX1")
        session.logoff()
        set_partition_usage(mock.db, linux1.uri, 42)
        port = free_port()
        config = tmp_path / "exporter.yaml"
        lines = ["version: 2", "hmcs:", f"  - host: {host}",
                 f"    userid: {USERID}", f"    password: {PASSWORD}",
                 "    verify_cert: false", "prometheus:", f"  port: {port}",
                 "metric_groups:"]
        lines += [f"  {g}: {{export: true}}" for g in GROUPS]
        lines += [f"  {g}: {{export: false}}" for g in RESOURCE_GROUPS]
        config.write_text("\n".join(lines) + "\n")
        exporter_bin = pathlib.Path(sys.executable).parent / \
            "zhmc_prometheus_exporter"
        log = open(tmp_path / "exporter.log", "wb")
        proc = subprocess.Popen(
            [str(exporter_bin), "-c", str(config)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            text = scrape(port, [
                # Prepared: 42 % of LINUX1's processors.
                r'^zhmc_partition_processor_usage_ratio\{cpc="DPM1",'
                r'partition="LINUX1"\} 0\.42$',
                # Synthetic: the other partitions, LPARs and both CPCs.
                r'^zhmc_partition_processor_usage_ratio\{cpc="DPM1",'
                r'partition="LINUX2"\} [0-9.]+$',
                r'^zhmc_partition_processor_usage_ratio\{cpc="CLASSIC1",'
                r'partition="LPAR1"\} [0-9.]+$',
                r'^zhmc_cpc_processor_usage_ratio\{cpc="DPM1"\} [0-9.]+$',
                r'^zhmc_cpc_power_watt\{cpc="CLASSIC1"\} [0-9.]+$',
            ])
            temps = re.findall(
                r'^zhmc_cpc_ambient_temperature_celsius\{cpc="DPM1"\} '
                r'([0-9.]+)$', text, re.M)
            assert temps and 15.0 <= float(temps[0]) <= 35.0, text
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()

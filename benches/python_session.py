#!/usr/bin/env python3
"""zhmcclient operations per second: FakedSession vs mock_hmc.Session vs
zhmcclient over `mock-hmc serve`, side by side in one run.

    target/pyvenv/bin/python benches/python_session.py [--seconds S] [--rounds R]

mock_hmc.Session runs twice, on two dbs: without the request journal (the
default of from_hmc_yaml_file's private db) and with it (`journal=True`,
the default of a Session on a shared db, as for `serve`). Each
session gets the same HMC: zhmcclient's example
definition file example_mocked_z16_dpm.yaml (CPC1 in DPM mode, PART1 with
a NIC, virtual switch vs-osa1). The five operations are timed for S/R
seconds per round, R rounds, and the rounds of every (operation, session)
pair are interleaved, so load from other programs on the machine hits all
of them alike. Prints ops/s (median of the rounds) and the ratio to
FakedSession. Build the package with `maturin develop --release` first
(the script says which build it imports).

Environment: MOCK_HMC_BENCH_PROFILE=1 profiles mock_hmc.Session's rounds
with cProfile instead (top functions by own time, to stderr).
"""

import argparse
import cProfile
import os
import pathlib
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import urllib3
import zhmcclient
from zhmcclient.mock import FakedSession

import mock_hmc

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFINITION = REPO / "tests" / "python_package" / "examples" / \
    "example_mocked_z16_dpm.yaml"
USERID, PASSWORD = "bench", "bench-password"
MOCK_HMC = pathlib.Path(sys.executable).parent / "mock-hmc"
NIC = {"name": "bench-nic", "virtual-switch-uri": "/api/virtual-switches/vs-osa1"}

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def operations(client):
    """The five operations, each a function of the iteration number."""
    cpc = client.cpcs.find(name="CPC1")
    part = cpc.partitions.find(name="PART1")

    def list_cpcs(_):
        client.cpcs.list()

    def list_partitions_by_name(_):
        cpc.partitions.list(filter_args={"name": "PART1"})

    def get_partition(_):
        part.pull_full_properties()

    def update_partition(i):
        part.update_properties({"description": f"bench {i}"})

    def nic_create_delete(_):
        part.nics.create(NIC).delete()

    return {
        "list CPCs": list_cpcs,
        "list partitions (name filter)": list_partitions_by_name,
        "get partition (full properties)": get_partition,
        "update partition": update_partition,
        "create + delete NIC": nic_create_delete,
    }


def start_serve(db, tmp):
    port_file = pathlib.Path(tmp) / "port"
    env = {**os.environ, "MOCK_HMC_LOG": "warn"}
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(MOCK_HMC), "--db", str(db), "serve", "--port", "0",
         "--port-file", str(port_file), "--no-stomp"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("mock-hmc serve did not start")
        time.sleep(0.05)
    return proc, int(port_file.read_text().strip())


def timed(fn, seconds, start_i):
    """Runs fn(i) for about `seconds`; returns (count, elapsed)."""
    n = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        # Check the clock every 10 calls: its cost stays out of the figure.
        for _ in range(10):
            fn(start_i + n)
            n += 1
        now = time.perf_counter()
        if now >= deadline:
            return n, now - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="seconds per (operation, session) pair")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    profile = os.environ.get("MOCK_HMC_BENCH_PROFILE") == "1"

    native = pathlib.Path(mock_hmc._native.__file__)  # pylint: disable=protected-access
    print(f"mock_hmc native module: {native}")
    print(f"zhmcclient {zhmcclient.__version__}, Python "
          f"{sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.2f} at start")

    with tempfile.TemporaryDirectory(prefix="mock-hmc-bench-") as tmp:
        db = pathlib.Path(tmp) / "served.sqlite"
        subprocess.run([str(MOCK_HMC), "--db", str(db), "load",
                        str(DEFINITION), "--user", f"{USERID}:{PASSWORD}"],
                       check=True, stdout=subprocess.DEVNULL)
        proc, port = start_serve(db, tmp)
        try:
            sessions = {
                "FakedSession": FakedSession.from_hmc_yaml_file(
                    str(DEFINITION), USERID, PASSWORD),
                "mock_hmc.Session": mock_hmc.Session.from_hmc_yaml_file(
                    str(DEFINITION), USERID, PASSWORD),
                "mock_hmc.Session, journal":
                    mock_hmc.Session.from_hmc_yaml_file(
                        str(DEFINITION), USERID, PASSWORD, journal=True),
                "zhmcclient over serve": zhmcclient.Session(
                    "127.0.0.1", USERID, PASSWORD, port=port,
                    verify_cert=False),
            }
            ops = {name: operations(zhmcclient.Client(s))
                   for name, s in sessions.items()}
            op_names = list(next(iter(ops.values())))
            rates = {(o, s): [] for o in op_names for s in sessions}
            per_pair = args.seconds / args.rounds
            profiler = cProfile.Profile() if profile else None
            i = 0
            for _ in range(args.rounds):
                for o in op_names:
                    for s in sessions:
                        fn = ops[s][o]
                        fn(i)  # warm: first-call costs (logon, caches)
                        if profiler and s == "mock_hmc.Session":
                            profiler.enable()
                        n, elapsed = timed(fn, per_pair, i + 1)
                        if profiler and s == "mock_hmc.Session":
                            profiler.disable()
                        i += n + 1
                        rates[(o, s)].append(n / elapsed)
            for s in sessions.values():
                if not isinstance(s, FakedSession):
                    s.logoff()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    names = list(sessions)
    print()
    print("| operation | " + " | ".join(f"{n} ops/s" for n in names)
          + " | " + " | ".join(f"{n} / FakedSession" for n in names[1:])
          + " |")
    print("|---|" + "---:|" * (2 * len(names) - 1))
    below = []
    for o in op_names:
        med = [statistics.median(rates[(o, s)]) for s in names]
        ratios = [m / med[0] for m in med[1:]]
        if ratios[0] < 1.0:
            below.append(o)
        print(f"| {o} | " + " | ".join(f"{m:,.0f}" for m in med) + " | "
              + " | ".join(f"{r:.2f}x" for r in ratios) + " |")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}; "
          f"{args.rounds} rounds of {per_pair:.2f} s per pair")
    print("mock_hmc.Session >= 1.0x FakedSession on every operation: "
          + ("yes" if not below else "no (" + ", ".join(below) + ")"))
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

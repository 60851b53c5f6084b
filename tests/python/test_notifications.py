"""Notifications over STOMP with the real zhmcclient: NotificationReceiver
(stomp.py, TLS) and the auto-updater, for changes made by another
`mock-hmc serve` process on the same db, and job completion."""

import subprocess
import threading
import time

import zhmcclient

from conftest import PASSWORD, USERID, free_loopback_host, serve
from test_metrics import BIN


def stomp_port(tmp):
    return int((tmp / "port.stomp").read_text().strip())


class Collector:
    """Runs a NotificationReceiver in a thread and keeps what it gets."""

    def __init__(self, topics, host, serve_dir, login=USERID,
                 passcode=PASSWORD):
        """`serve_dir`: the directory `serve` ran in, which holds its STOMP
        port and its log."""
        port = stomp_port(serve_dir)
        server_log = serve_dir / "server.log"
        self.receiver = zhmcclient.NotificationReceiver(
            topics, host, login, passcode, port=port, verify_cert=False)
        self.received = []
        self.failure = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        # notifications() connects and subscribes in the thread: wait for
        # the connection, and a moment for the SUBSCRIBE frame to arrive,
        # so that what the test does next is not missed. A receiver that
        # gave up fails the test at once, with what the server logged
        # (once, in a loaded CI run, the connection was lost before it
        # was made, and nothing said why).
        deadline = time.monotonic() + 30
        while not (self.receiver._conn  # pylint: disable=protected-access
                   and self.receiver._conn.is_connected()):
            if not self.thread.is_alive() or time.monotonic() > deadline:
                log = server_log.read_text()
                raise AssertionError(
                    f"STOMP connect to port {port} failed "
                    f"({self.failure!r}); server log:\n{log}")
            time.sleep(0.02)
        time.sleep(0.3)

    def _run(self):
        try:
            for headers, message in self.receiver.notifications():
                self.received.append((headers, message))
        except zhmcclient.NotificationConnectionError as e:
            # zhmcclient raises this instead of returning when close()
            # comes while it waits for a message.
            self.failure = e
            if not self.receiver._closed:  # pylint: disable=protected-access
                raise

    def wait_for(self, pred, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for headers, message in list(self.received):
                if pred(headers, message):
                    return headers, message
            time.sleep(0.02)
        raise AssertionError(f"no matching notification in {timeout}s; "
                             f"got {self.received!r}")

    def close(self):
        self.receiver.close()
        self.thread.join(timeout=5)


def test_notification_receiver_gets_changes_made_by_another_serve_process(
        tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    with serve(first, args=("--stomp-port", "0")) as a:
        session = zhmcclient.Session(a.host, USERID, PASSWORD, port=a.port,
                                     verify_cert=False)
        session.logon()
        collector = Collector([session.object_topic], a.host, first)
        try:
            # Another OS process: a second server on the same db file.
            with serve(second, args=("--no-stomp",), db=a.db) as b:
                other = zhmcclient.Session(b.host, USERID, PASSWORD,
                                           port=b.port, verify_cert=False)
                part = zhmcclient.Client(other).cpcs.find(name="DPM1") \
                    .partitions.find(name="LINUX2")
                part.update_properties({"description": "set elsewhere"})
                headers, message = collector.wait_for(
                    lambda h, m: h["notification-type"] == "property-change")
                assert headers["object-uri"] == part.uri
                assert headers["class"] == "partition"
                assert int(headers["session-sequence-nr"]) == 0
                assert message["change-reports"][0] == {
                    "property-name": "description",
                    "old-value": "A stopped Linux partition",
                    "new-value": "set elsewhere"}
                # A new partition and its removal: inventory changes.
                created = zhmcclient.Client(other).cpcs.find(name="DPM1") \
                    .partitions.create({"name": "notified",
                                        "initial-memory": 1024,
                                        "maximum-memory": 2048,
                                        "ifl-processors": 1})
                created.delete()
                for action in ("add", "remove"):
                    headers, _ = collector.wait_for(
                        lambda h, m, action=action:
                        h["notification-type"] == "inventory-change"
                        and h["action"] == action)
                    assert headers["object-uri"] == created.uri
                other.logoff()
        finally:
            collector.close()
            session.logoff()


def test_auto_update_sees_changes_made_by_a_second_serve_process(tmp_path):
    host = free_loopback_host()
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    # The auto-updater always connects to port 61612 of the session's host.
    with serve(first, host=host, args=("--stomp-port", "61612")) as a:
        session = zhmcclient.Session(host, USERID, PASSWORD, port=a.port,
                                     verify_cert=False)
        part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
            .partitions.find(name="LINUX2")
        part.enable_auto_update()
        try:
            assert part.prop("status") == "stopped"
            with serve(second, args=("--no-stomp",), db=a.db) as b:
                other = zhmcclient.Session(b.host, USERID, PASSWORD,
                                           port=b.port, verify_cert=False)
                theirs = zhmcclient.Client(other).cpcs.find(name="DPM1") \
                    .partitions.find(name="LINUX2")
                theirs.update_properties({"description": "auto-updated"})
                changed = time.monotonic()
                while part.prop("description") != "auto-updated":
                    assert time.monotonic() - changed < 1.0, \
                        "property change not seen within 1 s"
                    time.sleep(0.01)
                theirs.start()
                started = time.monotonic()
                while part.prop("status") != "active":
                    assert time.monotonic() - started < 1.0, \
                        "status change not seen within 1 s"
                    time.sleep(0.01)
                theirs.stop()
                other.logoff()
        finally:
            part.disable_auto_update()
            session.logoff()


def test_job_completion_arrives_on_the_job_topic(tmp_path):
    with serve(tmp_path, args=("--stomp-port", "0")) as mock:
        session = zhmcclient.Session(mock.host, USERID, PASSWORD,
                                     port=mock.port, verify_cert=False)
        session.logon()
        collector = Collector([session.job_topic], mock.host, tmp_path,
                              login=session.session_id,
                              passcode=session.session_credential)
        try:
            part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
                .partitions.find(name="LINUX2")
            job = part.start(wait_for_completion=False)
            headers, _ = collector.wait_for(
                lambda h, m: h["notification-type"] == "job-completion")
            assert headers["job-uri"] == job.uri
            assert headers["object-uri"] == part.uri
            status, _ = job.check_for_completion()
            assert status == "complete"
        finally:
            collector.close()
            session.logoff()


def test_notify_reports_a_change_made_with_sqlite(tmp_path):
    with serve(tmp_path, args=("--stomp-port", "0")) as mock:
        session = zhmcclient.Session(mock.host, USERID, PASSWORD,
                                     port=mock.port, verify_cert=False)
        session.logon()
        collector = Collector([session.object_topic], mock.host, tmp_path)
        try:
            subprocess.run(
                ["sqlite3", str(mock.db),
                 "update resources set properties = json_set(properties, "
                 "'$.status', 'degraded') where name = 'LINUX1'"],
                check=True)
            uri = zhmcclient.Client(session).cpcs.find(name="DPM1") \
                .partitions.find(name="LINUX1").uri
            done = subprocess.run([str(BIN), "--db", str(mock.db), "notify",
                                   uri], capture_output=True, text=True,
                                  check=False)
            assert done.returncode == 0, done.stderr
            _, message = collector.wait_for(
                lambda h, m: h["notification-type"] == "status-change")
            assert message["change-reports"][0]["new-status"] == "degraded"
        finally:
            collector.close()
            session.logoff()


def test_os_message_arrives_after_mock_hmc_os_message(tmp_path):
    with serve(tmp_path, args=("--stomp-port", "0")) as mock:
        session = zhmcclient.Session(mock.host, USERID, PASSWORD,
                                     port=mock.port, verify_cert=False)
        session.logon()
        part = zhmcclient.Client(session).cpcs.find(name="DPM1") \
            .partitions.find(name="LINUX1")
        topic = part.open_os_message_channel(include_refresh_messages=False)
        collector = Collector([topic], mock.host, tmp_path)
        try:
            done = subprocess.run(
                [str(BIN), "--db", str(mock.db), "os-message", part.uri,
                 "IEE136I LOCAL: TIME=10.00.00"],
                capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
            headers, message = collector.wait_for(
                lambda h, m: h["notification-type"] == "os-message")
            assert headers["object-uri"] == part.uri
            info = message["os-messages"][0]
            assert info["message-text"] == "IEE136I LOCAL: TIME=10.00.00"
            assert info["sequence-number"] == int(done.stdout.strip())
        finally:
            collector.close()
            session.logoff()

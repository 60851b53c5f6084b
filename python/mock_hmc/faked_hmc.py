"""``session.hmc``: the mock HMC as ``zhmcclient.mock.FakedHmc`` shows it.

The same API as FakedHmc (``add_resources``, the managers' ``add``,
``remove``, ``list`` and ``lookup_by_oid``, ``lookup_by_uri``,
``consoles.console``, ``enable``/``disable``, ``add_metric_values``,
``hmc_name``/``hmc_version``/``api_version``, resources with
``properties``, ``uri``, ``oid``, ``name`` and their child managers), but
every call reads or writes the db (one transaction each, through the
loader's add-resource path), so what a test sets up is what every session,
process and ``mock-hmc serve`` on the db sees. A resource's ``properties``
is a live view: reading it reads the db, assigning to a key writes it.

Besides FakedHmc's API: ``load``/``dump``, checkpoints, forks, fault rules,
job policies, the clock, OS messages and the request journal.

``FakedSession`` is a drop-in for ``zhmcclient.mock.FakedSession``: same
constructor, an empty HMC on a temporary db, logged on without a console
user (as FakedSession needs no logon).
"""

import collections.abc
import copy
import datetime
import json
import os
import re
import shutil
import tempfile
import weakref

from zhmcclient import ConnectionError as HmcConnectionError
from zhmcclient.mock._hmc import (
    METRIC_GROUPS,
    FakedMetricGroupDefinition,
    FakedMetricObjectValues,
)

from . import _native
from . import session as _session_mod

__all__ = ["FakedHmc", "FakedManager", "FakedResource", "FakedSession",
           "MockHmcError"]

MockHmcError = _native.MockHmcError

# (class, key, parent class, id property, URI property, names ignore case)
_TYPES = _native.resource_types()
# FakedHmc's manager names that differ from the definition-file keys.
_ALIASES = {"tape_library": "tape_libraries"}


def _child_keys(parent_class):
    """The manager names of the children of a resource of this class."""
    keys = {t[1] for t in _TYPES if t[2] == parent_class}
    keys.update(a for a, k in _ALIASES.items() if k in keys)
    return keys


def _type_for(parent_class, key):
    key = _ALIASES.get(key, key)
    for t in _TYPES:
        if t[1] == key and t[2] == parent_class:
            return t
    return None


def _json_default(obj):
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def _dumps(obj):
    return json.dumps(obj, default=_json_default)


def _matches(props, name, match, ignore_case):
    """FakedBaseManager's filter match: lists OR, strings as anchored
    regular expressions, other values by equality, absent never."""
    if isinstance(match, (list, tuple)):
        return any(_matches(props, name, m, ignore_case) for m in match)
    if name not in props:
        return False
    value = props[name]
    if isinstance(value, str):
        flags = re.IGNORECASE if ignore_case else 0
        return re.match(str(match) + "$", value, flags=flags) is not None
    return value == match


def _track(value, commit):
    """``value`` with its lists and dicts (at any depth) changed in place
    calling ``commit`` afterwards, so that
    ``resource.properties["nic-uris"].append(uri)`` writes the db."""
    if isinstance(value, dict) and not isinstance(value, _TrackedDict):
        return _TrackedDict(value, commit)
    if isinstance(value, list) and not isinstance(value, _TrackedList):
        return _TrackedList(value, commit)
    return value


def _tracking(cls, names):
    """Makes the mutating methods ``names`` of ``cls`` commit."""
    for name in names:
        base = getattr(cls.__mro__[1], name)

        def method(self, *args, _base=base, **kwargs):
            result = _base(self, *args, **kwargs)
            self._retrack()
            self._commit()
            return result
        method.__name__ = name
        setattr(cls, name, method)
    return cls


class _TrackedList(list):
    """A list property value whose changes are written back."""

    def __init__(self, items, commit):
        super().__init__(_track(v, commit) for v in items)
        self._commit = commit

    def _retrack(self):
        for i, v in enumerate(self):
            list.__setitem__(self, i, _track(v, self._commit))


class _TrackedDict(dict):
    """A dict property value whose changes are written back."""

    def __init__(self, items, commit):
        super().__init__((k, _track(v, commit)) for k, v in items.items())
        self._commit = commit

    def _retrack(self):
        for k, v in self.items():
            dict.__setitem__(self, k, _track(v, self._commit))


_tracking(_TrackedList, ["append", "extend", "insert", "remove", "pop",
                         "clear", "sort", "reverse", "__setitem__",
                         "__delitem__", "__iadd__", "__imul__"])
_tracking(_TrackedDict, ["__setitem__", "__delitem__", "pop", "popitem",
                         "clear", "update", "setdefault", "__ior__"])


class _Properties(collections.abc.MutableMapping):
    """A resource's properties, read from and written to the db."""

    __slots__ = ("_resource", "_hmc", "_uri")

    def __init__(self, resource):
        self._resource = resource
        self._hmc = resource._hmc
        self._uri = resource._uri

    def _load(self):
        return self._resource._current()

    def __getitem__(self, key):
        value = self._load()[key]
        if not isinstance(value, (list, dict)):
            return value
        holder = []

        def commit():
            self.update({key: holder[0]})
        holder.append(_track(value, commit))
        return holder[0]

    def __setitem__(self, key, value):
        self.update({key: value})

    def __delitem__(self, key):
        if key not in self._load():
            raise KeyError(key)
        _native.update_resource(self._hmc.native, self._uri, "{}", [key])

    def __iter__(self):
        return iter(list(self._load()))

    def __len__(self):
        return len(self._load())

    def __contains__(self, key):
        return key in self._load()

    def get(self, key, default=None):
        return self._load().get(key, default)

    def keys(self):
        return self._load().keys()

    def items(self):
        return self._load().items()

    def values(self):
        return self._load().values()

    def copy(self):
        """A plain dict of the current properties."""
        return dict(self._load())

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return copy.deepcopy(self._load(), memo)

    def update(self, *args, **kwargs):  # pylint: disable=arguments-differ
        """Sets the given properties in one transaction."""
        new = dict(*args, **kwargs)
        _native.update_resource(self._hmc.native, self._uri, _dumps(new), [])

    def __eq__(self, other):
        if isinstance(other, collections.abc.Mapping):
            return dict(self._load()) == dict(other)
        return NotImplemented

    def __repr__(self):
        return repr(self._load())


class FakedResource:
    """A resource of the mock HMC (FakedBaseResource's API): ``uri``,
    ``oid``, ``name``, ``properties`` (live), ``manager``, ``update``,
    ``add_resources`` and a manager per child type (``cpc.partitions``,
    ``partition.nics``, ``adapter.ports``, ``console.users``, ...)."""

    def __init__(self, manager, info):
        self._manager = manager
        self._hmc = manager.hmc
        self._uri = info["uri"]
        self._class = info["class"]
        oid_prop = manager.oid_prop
        self._oid = info["properties"].get(oid_prop) if oid_prop else None
        self._last = info["properties"]

    def _current(self):
        """The properties in the db; once the resource is gone, the last
        ones read (a FakedHmc resource object keeps its properties after
        its removal, and tests read them)."""
        try:
            self._last = self._hmc._fetch(self._uri)["properties"]
        except KeyError:
            pass
        return self._last

    @property
    def manager(self):
        """The manager that holds this resource."""
        return self._manager

    @property
    def uri(self):
        """The resource's URI (``object-uri`` or ``element-uri``)."""
        return self._uri

    @property
    def oid(self):
        """The resource's id (``object-id``, ``element-id``; the name of
        activation profiles; ``None`` for the console)."""
        return self._oid

    @property
    def properties(self):
        """The resource's properties: a live mapping on the db."""
        return _Properties(self)

    @property
    def name(self):
        """The ``name`` property (KeyError if there is none)."""
        return self._current()["name"]

    @property
    def api_features(self):
        """The API features of a console or CPC (what List Console / CPC
        API Features answer); settable, as FakedHmc's attribute."""
        if self._class not in ("console", "cpc"):
            raise AttributeError("api_features")
        return _native.api_features(self._hmc.native, self._uri)

    @api_features.setter
    def api_features(self, features):
        if self._class not in ("console", "cpc"):
            raise AttributeError("api_features")
        _native.set_api_features(self._hmc.native, self._uri, list(features))

    def update(self, properties):
        """Sets ``properties`` (the others stay), in one transaction."""
        self.properties.update(properties)

    def add_resources(self, resource_dict):
        """Adds child resources as FakedBaseResource.add_resources takes
        them, in one transaction."""
        _native.add_resources(self._hmc.native, self._uri,
                              _dumps(resource_dict))

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        if attr in _child_keys(self._class):
            return FakedManager(self._hmc, self, attr)
        raise AttributeError(
            f"{type(self).__name__} of class {self._class!r} has no "
            f"attribute {attr!r}")

    def __eq__(self, other):
        if isinstance(other, FakedResource):
            return self._uri == other._uri
        return NotImplemented

    def __hash__(self):
        return hash(self._uri)

    def __repr__(self):
        return f"FakedResource(class={self._class!r}, uri={self._uri!r})"


class FakedManager:
    """The resources of one type under one parent (FakedBaseManager's API):
    ``add``, ``remove``, ``list``, ``lookup_by_oid``."""

    def __init__(self, hmc, parent, key):
        self._hmc = hmc
        self._parent = parent  # a FakedResource, or None for the HMC
        self._key = _ALIASES.get(key, key)
        parent_class = parent._class if parent is not None else None
        t = _type_for(parent_class, self._key)
        if t is None:
            raise AttributeError(key)
        self._class_value, _, _, oid_prop, self._uri_prop, \
            self._ignore_case = t
        self._oid_prop = oid_prop or None

    @property
    def hmc(self):
        """The FakedHmc this manager is part of."""
        return self._hmc

    @property
    def parent(self):
        """The parent resource (the FakedHmc for consoles and CPCs)."""
        return self._parent if self._parent is not None else self._hmc

    @property
    def oid_prop(self):
        """The id property (``object-id``, ``element-id``, ``name``)."""
        return self._oid_prop

    @property
    def uri_prop(self):
        """The URI property (``object-uri`` or ``element-uri``)."""
        return self._uri_prop

    @property
    def class_value(self):
        """The ``class`` of the resources."""
        return self._class_value

    def _parent_uri(self):
        return self._parent.uri if self._parent is not None else None

    def _infos(self):
        return json.loads(_native.child_resources(
            self._hmc.native, self._parent_uri(), self._key))

    def add(self, properties):
        """Adds a resource with ``properties`` (id and URI generated when
        absent, defaults and side effects as Create gives them) and returns
        it."""
        [uri] = _native.add_resources(
            self._hmc.native, self._parent_uri(),
            _dumps({self._key: [{"properties": properties}]}))
        return FakedResource(self, self._hmc._fetch(uri))

    def remove(self, oid):
        """Removes the resource with id ``oid`` and its children (KeyError
        if there is none)."""
        _native.remove_resource(self._hmc.native, self.lookup_by_oid(oid).uri)

    def list(self, filter_args=None):
        """The resources in the order they were added, those matching
        ``filter_args`` (FakedBaseManager's filter semantics) if given."""
        result = []
        for info in self._infos():
            props = info["properties"]
            if filter_args and not all(
                    _matches(props, name, match,
                             self._ignore_case and name == "name")
                    for name, match in filter_args.items()):
                continue
            result.append(FakedResource(self, info))
        return result

    def lookup_by_oid(self, oid):
        """The resource with id ``oid`` (KeyError if there is none)."""
        for info in self._infos():
            if self._oid_prop and info["properties"].get(self._oid_prop) == oid:
                return FakedResource(self, info)
        raise KeyError(oid)

    def __repr__(self):
        return (f"FakedManager({self._key!r}, "
                f"parent={self._parent_uri()!r})")


class FakedConsoleManager(FakedManager):
    """The console manager: ``console`` is the HMC's console."""

    @property
    def console(self):
        """The console (IndexError when the HMC has none, as in FakedHmc)."""
        return self.list()[0]


class _AllResources(collections.abc.Mapping):
    """FakedHmc's ``all_resources``: resources by URI."""

    def __init__(self, hmc):
        self._hmc = hmc

    def __getitem__(self, uri):
        return self._hmc.lookup_by_uri(uri)

    def _uris(self):
        uris = []

        def walk(resource):
            uris.append(resource.uri)
            for key in sorted(_child_keys(resource._class) - set(_ALIASES)):
                for child in FakedManager(self._hmc, resource, key).list():
                    walk(child)

        for manager in (self._hmc.consoles, self._hmc.cpcs):
            for r in manager.list():
                walk(r)
        return uris

    def __iter__(self):
        return iter(self._uris())

    def __len__(self):
        return len(self._uris())


class FakedHmc:
    """The mock HMC behind a session, with FakedHmc's API and more."""

    def __init__(self, session=None, native=None):
        if native is None:
            native = session.native_hmc
        self._session = session
        self._native = native
        self.consoles = FakedConsoleManager(self, None, "consoles")
        self.cpcs = FakedManager(self, None, "cpcs")

    # --- FakedHmc's API --------------------------------------------------

    @property
    def native(self):
        """The native ``mock_hmc._native.Hmc`` of the db."""
        return self._native

    @property
    def session(self):
        """The session this HMC belongs to."""
        return self._session

    def _fetch(self, uri):
        return json.loads(_native.resource(self._native, uri))

    def _identity(self, index):
        return _native.identity(self._native)[index]

    @property
    def hmc_name(self):
        """The HMC's name (Query API Version's ``hmc-name``)."""
        return self._identity(0)

    @hmc_name.setter
    def hmc_name(self, value):
        _native.set_identity(self._native, name=value)

    @property
    def hmc_version(self):
        """The HMC's version (``2.16.0``)."""
        return self._identity(1)

    @hmc_version.setter
    def hmc_version(self, value):
        _native.set_identity(self._native, version=value)

    @property
    def api_version(self):
        """The WS API version (``4.10``)."""
        return self._identity(2)

    @api_version.setter
    def api_version(self, value):
        _native.set_identity(self._native, api_version=value)

    @property
    def enabled(self):
        """Whether the HMC answers requests."""
        return _native.is_enabled(self._native)

    def enable(self):
        """Makes the HMC answer requests again (also after Shutdown or
        Restart Console)."""
        _native.set_enabled(self._native, True)

    def disable(self):
        """Makes every request fail until ``enable`` (503; the sessions
        stay)."""
        _native.set_enabled(self._native, False)

    def add_resources(self, resource_dict):
        """Adds ``consoles``, ``cpcs`` (with their children) and
        ``metrics_contexts`` as FakedHmc.add_resources takes them, in one
        transaction (a bad entry adds nothing)."""
        _native.add_resources(self._native, None, _dumps(resource_dict))

    def lookup_by_uri(self, uri):
        """The resource at ``uri`` (KeyError if there is none)."""
        info = self._fetch(uri)
        parent = None
        if info["parent"] is not None:
            parent = self.lookup_by_uri(info["parent"])
        manager = FakedManager(self, parent, info["key"]) \
            if info["key"] != "consoles" else self.consoles
        return FakedResource(manager, info)

    @property
    def all_resources(self):
        """Every resource, by URI (a mapping read from the db)."""
        return _AllResources(self)

    @property
    def metric_groups(self):
        """The metric group definitions, by name (as FakedHmc has them)."""
        return {g["name"]: FakedMetricGroupDefinition(g["name"], g["metrics"])
                for g in METRIC_GROUPS}

    def add_metric_values(self, values):
        """Adds a ``FakedMetricObjectValues`` (prepared values that Get
        Metrics reports), checked against its group's definition."""
        if not isinstance(values, FakedMetricObjectValues):
            raise TypeError("values must be a FakedMetricObjectValues")
        ts = values.timestamp
        if isinstance(ts, datetime.datetime):
            if ts.tzinfo is None:
                # FakedHmc reads naive times as local time.
                ts = ts.astimezone()
            ts = ts.isoformat(sep=" ")
        metrics = collections.OrderedDict(values.values)
        _native.add_metric_values(self._native, values.group_name,
                                  values.resource_uri, str(ts),
                                  _dumps(metrics))

    @property
    def metric_values(self):
        """The prepared metric values by group name, as lists of
        ``FakedMetricObjectValues``."""
        result = {}
        for row in json.loads(_native.metric_values(self._native)):
            ts = datetime.datetime.fromisoformat(row["timestamp"])
            result.setdefault(row["group_name"], []).append(
                FakedMetricObjectValues(row["group_name"], row["resource_uri"],
                                        ts, list(row["metrics"].items())))
        return result

    # --- what FakedHmc lacks -----------------------------------------------

    def load(self, definition, replace=True, users=()):
        """Loads a definition (a dict, YAML or JSON text, or a file path),
        replacing the HMC unless ``replace=False``; ``users`` are
        ``(userid, password)`` pairs that can log on afterwards."""
        if isinstance(definition, dict):
            text = _dumps(definition)
        elif isinstance(definition, os.PathLike) or (
                isinstance(definition, str) and "\n" not in definition
                and os.path.isfile(definition)):
            with open(definition, encoding="utf-8") as fp:
                text = fp.read()
        else:
            text = definition
        self._native.load_definition(text, list(users), replace)

    def dump(self, with_passwords=False):
        """The HMC as a definition dict (loads back to the same state)."""
        return json.loads(_native.dump(self._native, with_passwords))

    def _admin(self, method, path, body=None):
        status, text = _native.admin(
            self._native, method, path,
            None if body is None else _dumps(body))
        result = json.loads(text) if text else None
        if status >= 400:
            raise MockHmcError(
                f"{status},{result.get('reason')}: {result.get('message')}")
        return result

    def save_checkpoint(self, name):
        """Saves the HMC state as checkpoint ``name`` (replacing one)."""
        self._admin("POST", "/mock/checkpoints", {"name": name})

    def restore_checkpoint(self, name, drop_sessions=False):
        """Puts the HMC back to checkpoint ``name``, in one transaction."""
        self._admin("POST", f"/mock/checkpoints/{name}/restore",
                    {"drop-sessions": drop_sessions})

    def checkpoints(self):
        """The checkpoints: dicts with ``name``, ``created-at``,
        ``resources``."""
        return self._admin("GET", "/mock/checkpoints")["checkpoints"]

    def delete_checkpoint(self, name):
        """Deletes checkpoint ``name``."""
        self._admin("DELETE", f"/mock/checkpoints/{name}")

    def diff(self, name):
        """What changed since checkpoint ``name``: ``added``, ``removed``,
        ``changed``."""
        return self._admin("GET", f"/mock/checkpoints/{name}/diff")

    def reset(self):
        """Puts the HMC back to the state it was loaded with."""
        self._admin("POST", "/mock/reset")

    def fork(self, path, checkpoint=None):
        """Writes a new db file ``path`` with the state (or a
        checkpoint's)."""
        _native.fork(self._native, os.fspath(path), checkpoint)

    def clock(self):
        """The HMC clock: ``(time in unix ms, offset from real time in
        ms)``."""
        c = self._admin("GET", "/mock/clock")
        return c["time"], c["offset-ms"]

    def advance_clock(self, by):
        """Moves the HMC clock by ``by`` (``"7h"``, ``"90s"``, ``"-1d"``, or
        a ``datetime.timedelta``)."""
        if isinstance(by, datetime.timedelta):
            by = f"{int(by.total_seconds() * 1000)}ms"
        self._admin("POST", "/mock/clock", {"advance": by})

    def set_clock(self, time):
        """Sets the HMC clock (``"2030-01-01T00:00:00Z"``, unix ms, or an
        aware ``datetime``)."""
        if isinstance(time, datetime.datetime):
            time = str(int(time.timestamp() * 1000))
        self._admin("POST", "/mock/clock", {"set": str(time)})

    def real_clock(self):
        """Puts the HMC clock back to real time."""
        self._admin("POST", "/mock/clock", {"real": True})

    def add_fault(self, **rule):
        """Adds a fault rule (the admin API's fields, ``_`` for ``-``:
        ``method``, ``uri``, ``operation``, ``userid``, ``error="409.1"`` or
        ``status``/``reason``, ``message``, ``delay="2s"``, ``count``,
        ``skip``, ``expires``, ``probability``, ``seed``, ``job_error``,
        ``drop_connection``); returns its id."""
        body = {k.replace("_", "-"): v for k, v in rule.items()}
        return self._admin("POST", "/mock/faults", body)["id"]

    def faults(self):
        """The fault rules, one line each (as ``mock-hmc fault list``)."""
        return self._admin("GET", "/mock/faults")["faults"]

    def clear_faults(self, rule_id=None):
        """Removes fault rule ``rule_id``, or all; returns how many went."""
        path = "/mock/faults" if rule_id is None else f"/mock/faults/{rule_id}"
        return self._admin("DELETE", path)["cleared"]

    def add_job_policy(self, **policy):
        """Adds a job policy (``operation``, ``uri``, ``polls``, ``after``,
        ``until_cancel``, ``error``, ``message``, ``result_status``);
        returns its id."""
        body = {k.replace("_", "-"): v for k, v in policy.items()}
        return self._admin("POST", "/mock/job-policies", body)["id"]

    def job_policies(self):
        """The job policies, one line each."""
        return self._admin("GET", "/mock/job-policies")["job-policies"]

    def clear_job_policies(self, policy_id=None):
        """Removes job policy ``policy_id``, or all."""
        path = "/mock/job-policies" if policy_id is None \
            else f"/mock/job-policies/{policy_id}"
        return self._admin("DELETE", path)["cleared"]

    def add_os_message(self, uri, text, held=False, priority=False):
        """Adds an OS message for the partition or LPAR at ``uri``, as its
        OS would write it; returns its sequence number."""
        return _native.add_os_message(self._native, uri, text, held, priority)

    def journal(self, test=None, uri=None, since=None):
        """The journaled requests (dicts: ``method``, ``uri``, ``status``,
        ``reason``, ...), oldest first; of one ``X-Mock-Test-Id``, URIs a
        regex finds, or at or after an HMC time (unix ms)."""
        return json.loads(_native.journal(self._native, test, uri, since))

    def clear_journal(self):
        """Empties the journal; returns how many rows went."""
        return self._admin("DELETE", "/mock/journal")["cleared"]

    def __repr__(self):
        return f"FakedHmc(db_path={self._native.path!r})"


#: The userid a FakedSession without credentials acts as.
FAKED_USERID = "faked-session"


class FakedSession(_session_mod.Session):
    """A drop-in for ``zhmcclient.mock.FakedSession``: the same
    constructor, an empty HMC (name and versions as given) on a temporary
    db removed with the session, and ``session.hmc`` to set it up
    (``session.hmc.cpcs.add({...})``). Without ``userid`` and ``password`` it
    is logged on without a console user, through a session of its own (as
    FakedSession needs no logon); with them it logs on for real. While the
    HMC is disabled, requests raise ``zhmcclient.ConnectionError`` as
    FakedSession's do."""

    def __init__(self, host, hmc_name, hmc_version, api_version,
                 userid=None, password=None, journal=False):
        tmpdir = tempfile.mkdtemp(prefix="mock-hmc-")
        db = os.path.join(tmpdir, "hmc.sqlite")
        native = _session_mod.open_unseeded(db)
        _native.set_identity(native, hmc_name, hmc_version, api_version)
        # A private db, like FakedSession's memory: no journal unless asked
        # for (it halves the cost of a request).
        super().__init__(db, userid, password, host=host, journal=journal)
        weakref.finalize(self, _forget, db, tmpdir)

    from_hmc_yaml_file = _session_mod.Session.from_hmc_yaml_file
    from_hmc_yaml = _session_mod.Session.from_hmc_yaml
    from_hmc_dict = _session_mod.Session.from_hmc_dict

    def _do_logon(self):
        if self._userid is not None and (self._password is not None
                                         or self._get_password):
            super()._do_logon()
            return
        sid, cred, topic, job_topic = _native.open_session(
            self.native_hmc, self._userid or FAKED_USERID)
        self._session_id = sid
        self._session_credential = cred
        self._headers["X-API-Session"] = sid
        self._object_topic = topic
        self._job_topic = job_topic

    def _send(self, method, uri, body=None, content_type=None):
        answer = super()._send(method, uri, body, content_type)
        if answer[0] == 503 and not _native.is_enabled(self.native_hmc):
            raise HmcConnectionError("HMC is not enabled.", None)
        return answer


def _forget(db, tmpdir):
    # pylint: disable=protected-access
    _session_mod._forget_temporary(db, tmpdir)
    shutil.rmtree(tmpdir, ignore_errors=True)

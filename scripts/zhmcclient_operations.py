#!/usr/bin/env python3
"""Lists every (method, URI pattern) zhmcclient's source can send.

    python3 scripts/zhmcclient_operations.py PATH/TO/site-packages/zhmcclient

Reads each module with `ast`, finds the `session.get/post/delete` calls and
evaluates their URI argument symbolically: `self.uri` of a resource becomes
its element pattern, names resolve through the function's assignments,
parameters and other values become `{...}` placeholders. Prints sorted
"METHOD URI" lines; the output is committed as
tests/data/zhmcclient_1_26_operations.txt (with the few unresolvable calls
written out by hand, as its header says).
"""
import ast
import re
import pathlib
import sys

# The URI of each resource attribute name used in `x.<name>.uri`.
PARENTS = {
    "cpc": "/api/cpcs/{cpc-id}",
    "partition": "/api/partitions/{partition-id}",
    "lpar": "/api/logical-partitions/{logical-partition-id}",
    "adapter": "/api/adapters/{adapter-id}",
    "storage_group": "/api/storage-groups/{storage-group-id}",
    "storage_group_template": "/api/storage-templates/{storage-template-id}",
    "tape_link": "/api/tape-links/{tape-link-id}",
    "console": "/api/console",
}


def collection(tree, mod):
    """The manager's base_uri, with parent URIs expanded."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "base_uri":
            return ev(node.value, {}, None, None)[0]
    return None


def element(coll):
    if not coll:
        return None
    if coll == "/api/console":
        return coll
    last = coll.rstrip("/").rsplit("/", 1)[-1]
    single = {"tape-libraries": "tape-library", "virtual-switches": "virtual-switch",
              "storage-templates": "storage-template",
              "context": "metrics-context"}.get(last, last[:-1])
    return coll + "/{" + single + "-id}"


# Calls whose URI is not a literal in the module that makes them, read by
# hand from _session.py, _port.py, _activation_profile.py, _hw_message.py
# and _utils.py of the same release.
BY_HAND = [
    ("GET", "/api/version"),
    ("POST", "/api/sessions"),
    ("DELETE", "/api/sessions/this-session"),
    ("GET", "/api/sessions/operations/get-notification-topics"),
    ("GET", "/api/jobs/{job-id}"),
    ("DELETE", "/api/jobs/{job-id}"),
    ("POST", "/api/jobs/{job-id}/operations/cancel"),
    ("GET", "/api/console/operations/list-features"),
    ("GET", "/api/cpcs/{cpc-id}/operations/list-features"),
    ("GET", "/api/adapters/{adapter-id}/network-ports/{network-port-id}"),
    ("POST", "/api/adapters/{adapter-id}/network-ports/{network-port-id}"),
    ("GET", "/api/adapters/{adapter-id}/storage-ports/{storage-port-id}"),
    ("POST", "/api/adapters/{adapter-id}/storage-ports/{storage-port-id}"),
]

PROFILE_TYPES = ["reset", "image", "load"]
HW_MESSAGE_PARENTS = ["/api/console", "/api/cpcs/{cpc-id}"]


def expand(uri):
    """Concrete patterns for the few parametrised bases."""
    out = [uri]
    if "profile_type}" in uri:
        out = []
        for t in PROFILE_TYPES:
            u = re.sub(r"\{\{_?profile_type\}-activation-profile-id\}",
                       "{" + t + "-activation-profile-id}", uri)
            out.append(re.sub(r"\{_?profile_type\}", t, u))
    if uri.startswith("{parent-uri}"):
        # Hardware messages hang off the Console or a CPC; the only other
        # `parent` (unmanaged CPCs) is the Console.
        parents = HW_MESSAGE_PARENTS if "hardware-messages" in uri else ["/api/console"]
        out = [uri.replace("{parent-uri}", p) for p in parents]
    return out


def ev(node, assigns, elem, coll, depth=0):
    """Possible string values of an expression."""
    if depth > 8:
        return ["{?}"]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        outs = [""]
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                parts = ev(v.value, assigns, elem, coll, depth + 1)
            else:
                parts = ev(v, assigns, elem, coll, depth + 1)
            outs = [a + b for a in outs for b in parts]
        return outs
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in ev(node.left, assigns, elem, coll, depth + 1)
                for b in ev(node.right, assigns, elem, coll, depth + 1)]
    if isinstance(node, ast.IfExp):
        return ev(node.body, assigns, elem, coll, depth + 1) + \
            ev(node.orelse, assigns, elem, coll, depth + 1)
    if isinstance(node, ast.Attribute):
        if node.attr in ("uri", "_uri"):
            base = node.value
            if isinstance(base, ast.Name) and base.id == "self":
                return [elem or "{?}"]
            name = base.attr if isinstance(base, ast.Attribute) else \
                base.id if isinstance(base, ast.Name) else None
            if name in PARENTS:
                return [PARENTS[name]]
            return ["{" + str(name) + "-uri}"]
        if node.attr == "_base_uri":
            return [coll or "{?}"]
        return ["{" + node.attr + "}"]
    if isinstance(node, ast.Name):
        if node.id in assigns:
            out = []
            for v in assigns[node.id]:
                out += ev(v, {k: w for k, w in assigns.items() if k != node.id},
                          elem, coll, depth + 1)
            return out
        return ["{" + node.id + "}"]
    return ["{?}"]


def main(root):
    ops = set()
    for path in sorted(pathlib.Path(root).glob("_*.py")):
        tree = ast.parse(path.read_text())
        coll = collection(tree, path.stem)
        elem = element(coll)
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assigns = {}
            for n in ast.walk(fn):
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        if isinstance(t, ast.Name):
                            assigns.setdefault(t.id, []).append(n.value)
                if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                    prev = assigns.get(n.target.id, [])
                    assigns[n.target.id] = [ast.BinOp(p, ast.Add(), n.value) for p in prev]
            for n in ast.walk(fn):
                if (isinstance(n, ast.Assign) and len(n.targets) == 1
                        and isinstance(n.targets[0], ast.Name)
                        and n.targets[0].id == "list_uri"):
                    for uri in ev(n.value, assigns, elem, coll):
                        ops.add(("GET", uri, path.name))
                if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                        and n.func.attr in ("get", "post", "delete")
                        and isinstance(n.func.value, ast.Attribute)
                        and n.func.value.attr == "session"):
                    arg = n.args[0] if n.args else next(
                        (k.value for k in n.keywords if k.arg == "uri"), None)
                    if arg is None:
                        continue
                    for uri in ev(arg, assigns, elem, coll):
                        ops.add((n.func.attr.upper(), uri.split("?")[0], path.name))
        # Every resource can be pulled (Get Properties) from its own URI.
        if elem and elem != coll:
            ops.add(("GET", elem, path.name))
    ops |= {(m, u, "by hand") for m, u in BY_HAND}
    lines = set()
    for m, u, f in ops:
        for x in expand(u.split("?")[0]):
            # Generic calls (session helpers, get by arbitrary URI) carry no
            # pattern of their own.
            if not x.startswith("/api/") or "{?}" in x or x.endswith("{"):
                x = x.rstrip("{")
                if not x.startswith("/api/") or "{?}" in x or "{" in x.split("/")[-1] and x.endswith("{"):
                    continue
            lines.add((x, m))
    for u, m in sorted(lines):
        print(f"{m} {u}")


if __name__ == "__main__":
    main(sys.argv[1])

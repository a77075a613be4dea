"""`pvesh get` for the paths git-lxc reads (pct.md §7, §11.3)."""

import json
import os
import re

from .cli import Die, ParamExc, check_root, get_options, getopt, out, param_error, resolve_cmd
from .schema import BOOL, S, getopt_spec, validate

COMMANDS = {
    "get": (["api_path"], {}), "set": (["api_path"], {}), "create": (["api_path"], {}),
    "delete": (["api_path"], {}), "ls": (["api_path"], {}), "usage": (["api_path"], {}),
    "help": (["extra-args"], {}),
}
FORMAT_OPTS = {
    "output-format": S("string", enum=["text", "json", "json-pretty", "yaml"]),
    "noheader": BOOL, "noborder": BOOL, "quiet": BOOL, "human-readable": BOOL,
}
USAGE = "pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]"
NETWORK_TYPES = ["bridge", "bond", "eth", "alias", "vlan", "fabric", "OVSBridge", "OVSBond",
                 "OVSPort", "OVSIntPort", "vnet", "any_bridge", "any_local_bridge", "include_sdn"]


def canonical_json(v, pretty=False):
    if pretty:
        return json.dumps(v, sort_keys=True, indent=3)
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def resources(host):
    from .pct import status_fields
    res = []
    for vmid in host.all_vmids():
        c = host.read_conf(vmid)
        if c is None:
            continue
        f = status_fields(host, vmid, c)
        r = {"id": f"lxc/{vmid}", "vmid": vmid, "type": "lxc", "node": host.node,
             "status": f["status"], "name": f["name"],
             "template": 1 if c.keys.get("template") == "1" else 0,
             "uptime": f["uptime"], "maxcpu": f["cpus"], "cpu": 0, "maxmem": f["maxmem"],
             "mem": 0, "maxdisk": f["maxdisk"], "disk": 0, "netin": 0, "netout": 0,
             "diskread": 0, "diskwrite": 0}
        for k in ("tags", "lock"):
            if k in c.keys:
                r[k] = c.keys[k]
        res.append(r)
    for vmid in host.qemu:
        res.append({"id": f"qemu/{vmid}", "vmid": vmid, "type": "qemu", "node": host.node,
                    "status": "stopped", "name": f"VM{vmid}", "template": 0})
    return sorted(res, key=lambda r: str(r["vmid"]))


def nextid(host, opts):
    taken = host.used_vmids()
    if "vmid" in opts:
        v = int(opts["vmid"])
        if v in taken:
            raise param_error([("vmid", f"VM {v} already exists")], USAGE)
        return str(v)
    lower = 100
    p = getattr(host, "nextid_file", None)
    if p and os.path.exists(p):
        with open(p) as f:
            lower = int(f.read().strip())
    v = lower
    while v in taken and v < 1000000:
        v += 1
    if v >= 1000000:
        raise Die(f"unable to get any free VMID in range [{lower}, 1000000]")
    return v


def main(host, argv):
    from . import pct, pvesm
    cmd = resolve_cmd("pvesh", COMMANDS, argv)
    check_root(host)
    args = argv[1:]
    # phase 1: find the api path with a generic spec; phase 2: per-path schema
    generic = {"vmid": "s", "type": "s", "current": "b", "snapshot": "s", "storage": "s",
               "content": "s", "enabled": "b", "format": "b", "target": "s",
               **getopt_spec(FORMAT_OPTS)}
    _, pos1, _ = getopt(args, generic)
    path = pos1[0] if pos1 else None
    norm = "/" + "/".join(p for p in (path or "").split("/") if p)
    if cmd != "get":
        raise Die(f"{host.NAME}: 'pvesh {cmd}' is not implemented by the fake")
    node = rf"/nodes/(?:localhost|{re.escape(host.node)})"
    routes = [
        (r"/cluster/nextid", {"vmid": S("integer", minimum=100, maximum=999999999)}),
        (r"/cluster/resources", {"type": S("string", enum=["vm", "storage", "node", "sdn"])}),
        (rf"{node}/lxc", {}),
        (rf"{node}/lxc/(\d+)/(config|status/current)", {"current": BOOL, "snapshot": S("string")}),
        (rf"{node}/network", {"type": S("string", enum=NETWORK_TYPES)}),
        (rf"{node}/storage", {k: v for k, v in pvesm.STATUS_OPTS.items() if k != "format"}),
        (rf"{node}/storage/([^/]+)/status", {}),
        (rf"{node}/storage/([^/]+)/content", pvesm.LIST_OPTS),
    ]
    for rx, params in routes:
        m = re.fullmatch(rx, norm)
        if m:
            break
    else:
        if path is None:
            raise ParamExc("not enough arguments", usage=USAGE)
        raise Die(f"No 'get' handler defined for '{path}'")
    schema = {**params, **FORMAT_OPTS}
    opts = get_options(args, getopt_spec(schema), ["api_path"], USAGE)
    validate(opts, schema, USAGE)
    fmt = opts.get("output-format", "text")
    with host.command_lock("pvesh", "get", {}):
        if rx == r"/cluster/nextid":
            result = nextid(host, opts)
            out(str(result) if fmt == "text" else canonical_json(result, fmt == "json-pretty"))
            return
        if rx == r"/cluster/resources":
            result = resources(host) if opts.get("type") in (None, "vm") else []
        elif rx.endswith("/lxc"):
            result = []
            for vmid in host.all_vmids():
                c = host.read_conf(vmid)
                if c is not None:
                    result.append(pct.status_fields(host, vmid, c))
        elif rx.endswith("/network"):
            result = host.networks(opts.get("type"))
        elif rx.endswith("/storage"):
            result = pvesm.storage_index(host, opts, USAGE)
        elif rx.endswith("/status") and "/storage/" in rx:
            result = pvesm.storage_status(host, m.group(1), USAGE)
        elif rx.endswith("/content"):
            result = pvesm.volume_list(host, m.group(1), opts, USAGE)
        else:
            vmid = int(m.group(1))
            if m.group(2) == "config":
                result = pct.api_config(host, vmid)
            else:
                result = pct.status_fields(host, vmid, host.load_conf(vmid))
                result["ha"] = {"managed": 0}
        if fmt in ("json", "json-pretty"):
            out(canonical_json(result, fmt == "json-pretty"))
        else:
            raise Die(f"{host.NAME}: only --output-format json|json-pretty is implemented for "
                      f"'{norm}'")

#!/usr/bin/env python3
"""Strict fakes of the Proxmox VE host tools, for git-lxc's CLI tests.

One script, many names: it behaves as `pct`, `pveam`, `pvesh`, `sudo`,
`lxc-info` or `lxc-ls` depending on the name it is invoked by (basename of
argv[0]; tests put symlinks with those names in a private bin folder).
Behaviour follows /work/shared/reference/pct.md (Getopt::Long semantics,
400 parameter errors, task output, exit codes, on-disk config format).

Configuration (never from the environment: git-lxc clears it)
-------------------------------------------------------------
`fakehost.json` in the folder that holds the *symlink* (argv[0] is not
resolved):

    {
      "state": "/abs/path/of/state",   required
      "node": "pve",                   node name used in messages
      "root": true,                    false: pct/pveam/pvesh refuse with
                                       `please run as root` unless started
                                       through the fake `sudo`
      "delay_ms": 0,                   sleep before every pct/pveam/pvesh/lxc-* call
      "qemu": [],                      vmids owned by (fake) QEMU guests
      "disk_storages": null            list: the only storages allowed for
                                       rootfs/mpN allocation (else any)
    }

State folder layout (tests read and seed it)
--------------------------------------------
    calls.jsonl           one JSON object per invocation, appended BEFORE acting:
                          {"seq": N, "prog": "pct", "argv": [...], "env": {...},
                           "via_sudo": bool[, "stdin_file": "/abs/exec/N.stdin"]}
                          (seq = 1-based line number; `env` is the environment
                          as received, minus the fake sudo's marker)
    exec/<seq>.stdin      stdin of `pct exec <id> ... -- bash|sh ... -s ...`
    pve/lxc/<vmid>.conf   container configs, PVE on-disk format (pct.md §4);
                          re-read on every call, raw lxc.* lines preserved
    running/<vmid>        exists while the container runs
    templates/<storage>/<file>
                          template files; the folder's existence means the
                          storage exists and holds templates (vztmpl)
    available.txt         `pveam available` index: lines "section name [arch]"
    nextid                optional: lower bound for /cluster/nextid (default 100)
    rules.json            optional failure/delay injection, re-read each call:
                          [{"match": ["pct","start","101"], "exit": 255,
                            "stderr": "...", "stdout": "...", "times": N,
                            "delay_ms": 200}, ...]
                          `match` is a prefix of [prog]+argv.  Rules are tried
                          in order; a matching rule sleeps `delay_ms` (if any);
                          if it has `exit` it prints stdout/stderr, exits with
                          that code and changes no state (first such rule wins);
                          a delay-only rule lets matching continue.  `times`
                          counts down in rules.json; at 0 the rule is spent.
    ip/<vmid>             optional: addresses lxc-info/lxc-ls report for a
                          running CT (whitespace separated; IPv6 allowed)
    .lock                 flock serialising all state changes
"""

import fcntl
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import time

SUDO_MARK = "FAKEHOST_VIA_SUDO"
PROG = os.path.basename(sys.argv[0])
BIN_DIR = os.path.dirname(os.path.abspath(sys.argv[0]))


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

class Die(Exception):
    """A Perl `die`: message on stderr, non-zero exit."""

    def __init__(self, msg, code=255):
        super().__init__(msg)
        self.msg = msg
        self.code = code


class ParamExc(Die):
    """PVE::Exception with code 400 (parameter exception)."""

    def __init__(self, msg, errors=None, usage=None, pre=None):
        super().__init__(msg, 255)
        self.errors = errors or []      # list of (param, message)
        self.usage = usage
        self.pre = pre or []            # Getopt warnings printed before

    def render(self):
        out = "".join(w + "\n" for w in self.pre)
        out += "400 " + self.msg + "\n"
        for p, m in self.errors:
            out += f"{p}: {m}\n"
        if self.usage:
            out += self.usage + "\n"
        return out


class Exit(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def out(s=""):
    sys.stdout.write(s + "\n")


def err(s):
    sys.stdout.flush()
    sys.stderr.write(s + "\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------
# configuration and state
# --------------------------------------------------------------------------

def load_cfg():
    path = os.path.join(BIN_DIR, "fakehost.json")
    try:
        with open(path) as f:
            cfg = json.load(f)
    except OSError as e:
        sys.stderr.write(f"fakehost: cannot read {path}: {e}\n")
        sys.exit(99)
    cfg.setdefault("node", "pve")
    cfg.setdefault("root", True)
    cfg.setdefault("delay_ms", 0)
    cfg.setdefault("qemu", [])
    cfg.setdefault("disk_storages", None)
    if not cfg.get("state"):
        sys.stderr.write(f"fakehost: {path} has no 'state'\n")
        sys.exit(99)
    return cfg


CFG = None
STATE = None


def sp(*parts):
    return os.path.join(STATE, *parts)


def conf_path(vmid):
    return sp("pve", "lxc", f"{vmid}.conf")


def is_running(vmid):
    return os.path.exists(sp("running", str(vmid)))


def set_running(vmid, on):
    p = sp("running", str(vmid))
    if on:
        os.makedirs(sp("running"), exist_ok=True)
        open(p, "w").close()
    elif os.path.exists(p):
        os.unlink(p)


def all_vmids():
    d = sp("pve", "lxc")
    ids = []
    if os.path.isdir(d):
        for n in os.listdir(d):
            m = re.fullmatch(r"([1-9]\d*)\.conf", n)
            if m:
                ids.append(int(m.group(1)))
    return sorted(ids)


def cfg_missing(vmid):
    return f"Configuration file 'nodes/{CFG['node']}/lxc/{vmid}.conf' does not exist"


class Lock:
    """Exclusive flock on <state>/.lock (released on exec: O_CLOEXEC)."""

    def __enter__(self):
        os.makedirs(STATE, exist_ok=True)
        self.fd = os.open(sp(".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def log_call(prog, argv, save_stdin=False):
    env = dict(os.environ)
    via = env.pop(SUDO_MARK, None) == "1"
    rec = {"prog": prog, "argv": argv, "env": env, "via_sudo": via}
    with Lock():
        path = sp("calls.jsonl")
        seq = 1
        if os.path.exists(path):
            with open(path, "rb") as f:
                seq = f.read().count(b"\n") + 1
        rec = {"seq": seq, **rec}
        if save_stdin:
            rec["stdin_file"] = sp("exec", f"{seq}.stdin")
        with open(path, "a") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    data = None
    if save_stdin:
        data = sys.stdin.buffer.read()
        os.makedirs(sp("exec"), exist_ok=True)
        with open(rec["stdin_file"], "wb") as f:
            f.write(data)
    return via, data


def apply_rules(prog, argv):
    """Failure/delay injection. Returns normally or raises Exit."""
    path = sp("rules.json")
    if not os.path.exists(path):
        return
    full = [prog] + list(argv)
    fire = None
    delays = 0
    with Lock():
        try:
            with open(path) as f:
                rules = json.load(f)
        except (OSError, ValueError) as e:
            raise Die(f"fakehost: bad rules.json: {e}", 99)
        changed = False
        for r in rules:
            m = r.get("match", [])
            if full[: len(m)] != m:
                continue
            if "times" in r:
                if r["times"] <= 0:
                    continue
                r["times"] -= 1
                changed = True
            delays += r.get("delay_ms", 0)
            if "exit" in r:
                fire = r
                break
        if changed:
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(rules, f, indent=1)
            os.replace(tmp, path)
    if delays:
        time.sleep(delays / 1000.0)
    if fire is not None:
        for stream, key in ((sys.stdout, "stdout"), (sys.stderr, "stderr")):
            s = fire.get(key, "")
            if s:
                stream.write(s if s.endswith("\n") else s + "\n")
                stream.flush()
        raise Exit(int(fire["exit"]))


def check_root(via_sudo):
    if not CFG["root"] and not via_sudo:
        raise Die("please run as root")


# --------------------------------------------------------------------------
# Getopt::Long (prefix_pattern=(--|-), permute, auto_abbrev, ignore_case)
# --------------------------------------------------------------------------

OPTLIKE = re.compile(r"^(--|-).+", re.S)


def getopt(args, spec):
    """spec: name -> 'b' (boolean, optional value ':s'), 's' ('=s'),
    'l' (list, '=s@').  Returns (opts, positionals, warnings)."""
    opts, pos, warns = {}, [], []
    canon = {n.lower(): n for n in spec}     # ignore_case
    names = sorted(canon)
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            pos.extend(args[i:])
            break
        m = re.match(r"^(--|-)(.+)$", a, re.S)
        if not m:
            pos.append(a)
            continue
        body = m.group(2)
        optarg = None
        k = body.find("=", 1)
        if k > 0:
            body, optarg = body[:k], body[k + 1:]
        name = body.lower()
        if name in canon:
            hit = name
        else:
            hits = [n for n in names if n.startswith(name)]
            if len(hits) == 1:
                hit = hits[0]
            elif hits:
                warns.append(f"Option {name} is ambiguous ({', '.join(hits)})")
                continue
            else:
                warns.append(f"Unknown option: {name}")
                continue
        hit = canon[hit]
        kind = spec[hit]
        if kind == "b":
            if optarg is not None:
                val = optarg
            elif i < len(args) and not (args[i] == "--" or OPTLIKE.match(args[i])):
                val = args[i]
                i += 1
            else:
                val = ""
        else:
            if optarg is not None:
                if optarg == "":
                    warns.append(f"Option {hit} requires an argument")
                    continue
                val = optarg
            elif i < len(args):
                val = args[i]
                i += 1
            else:
                warns.append(f"Option {hit} requires an argument")
                continue
        if kind == "l":
            opts.setdefault(hit, []).append(val)
        else:
            opts[hit] = val
    return opts, pos, warns


def parse_boolean(v):
    lv = str(v).lower()
    if lv in ("1", "on", "yes", "true"):
        return 1
    if lv in ("0", "off", "no", "false"):
        return 0
    return None


def get_options(args, spec, arg_param, usage):
    """PVE::JSONSchema::get_options: getopt, positionals, booleans, lists."""
    opts, pos, warns = getopt(args, spec)
    if warns:
        raise ParamExc("unable to parse option", usage=usage, pre=warns)
    for i, name in enumerate(arg_param):
        if name == "extra-args":
            opts[name] = pos
            pos = []
            break
        if not pos:
            raise ParamExc("not enough arguments", usage=usage)
        opts[name] = pos.pop(0)
    if pos:
        raise ParamExc("too many arguments", usage=usage)
    for k, kind in spec.items():
        if k not in opts:
            continue
        if kind == "b":
            if opts[k] == "":
                opts[k] = 1
            else:
                b = parse_boolean(opts[k])
                if b is None:
                    raise ParamExc("unable to parse boolean option", usage=usage)
                opts[k] = b
        elif kind == "l":
            opts[k] = ",".join(opts[k])
    return opts


# --------------------------------------------------------------------------
# JSON schema checks (subset of PVE::JSONSchema)
# --------------------------------------------------------------------------

IPV4RE = r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
DNS_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?"
DNS_RE = re.compile(rf"(?:{DNS_LABEL}\.)*{DNS_LABEL}")
TAG_RE = re.compile(r"[a-z0-9_][a-z0-9_+.\-]*", re.I)
STORAGE_RE = re.compile(r"[a-z][a-z0-9\-_.]*[a-z0-9]", re.I)


class FormatError(Exception):
    pass


class PropFormatError(Exception):
    def __init__(self, errors):
        super().__init__("format error")
        self.errors = errors


def split_list(v):
    return [x for x in re.split(r"[;,\s\0]+", v) if x != ""]


def is_ipv4(v):
    return re.fullmatch(IPV4RE, v) is not None


def is_ipv6(v):
    try:
        ipaddress.IPv6Address(v)
        return True
    except ValueError:
        return False


def fmt_vmid(v):
    if not re.fullmatch(r"[1-9][0-9]{2,8}", v):
        raise FormatError("value does not look like a valid VM ID")


def fmt_dns(v):
    if not DNS_RE.fullmatch(v):
        raise FormatError("value does not look like a valid DNS name")


def fmt_dns_list(v):
    for x in split_list(v):
        fmt_dns(x)


def fmt_ip_list(v):
    for x in split_list(v):
        base = x.split("%", 1)[0] if x.lower().startswith("fe80") else x
        if not (is_ipv4(base) or is_ipv6(base)):
            raise FormatError("value does not look like a valid IP address")


def fmt_tags(v):
    for t in split_list(v):
        if not TAG_RE.fullmatch(t):
            raise FormatError("invalid characters in tag")


def fmt_startup(v):
    for part in v.split(","):
        if not re.fullmatch(r"(?:order=)?\d+|up=\d+|down=\d+", part):
            raise FormatError("value does not look like a valid startup order")


def fmt_storage(v):
    if not STORAGE_RE.fullmatch(v):
        raise FormatError(f"storage ID '{v}' contains illegal characters")


def fmt_configid_list(v):
    for x in split_list(v):
        if not re.fullmatch(r"[a-z][a-z0-9_\-]+", x, re.I):
            raise FormatError(f"invalid configuration ID '{x}'")


def fmt_volid_or_path(v):
    if v == "-" or v.startswith("/"):
        return
    if not re.fullmatch(r"[a-z][a-z0-9\-_.]*[a-z0-9]:.+", v, re.I | re.S):
        raise FormatError(f"unable to parse volume ID '{v}'")


def fmt_mac(v):
    if not re.fullmatch(r"[a-f0-9][02468ace](?::[a-f0-9]{2}){5}", v, re.I):
        raise FormatError("value does not look like a valid unicast MAC address")


def fmt_ipv4(v):
    if not is_ipv4(v):
        raise FormatError("value does not look like a valid IPv4 address")


def fmt_ipv6(v):
    if not is_ipv6(v):
        raise FormatError("value does not look like a valid IPv6 address")


def fmt_ipv4_config(v):
    if v in ("dhcp", "manual"):
        return
    m = re.fullmatch(rf"({IPV4RE})/(\d+)", v)
    if m and 7 < int(m.group(2)) <= 32:
        return
    raise FormatError("value does not look like a valid ipv4 network configuration")


def fmt_ipv6_config(v):
    if v in ("auto", "dhcp", "manual"):
        return
    m = re.fullmatch(r"([0-9a-fA-F:.]+)/(\d+)", v)
    if m and is_ipv6(m.group(1)) and 7 < int(m.group(2)) <= 128:
        return
    raise FormatError("value does not look like a valid ipv6 network configuration")


def fmt_mp_string(v):
    if re.search(r"/\.\.?/", v) or re.search(r"/\.\.?$", v) or v.startswith("../"):
        raise FormatError(f"{v} contains illegal character sequences")


def fmt_disk_size(v):
    if not re.fullmatch(r"\d+(?:\.\d+)?[KMGT]?", v):
        raise FormatError(f"unable to parse size '{v}'")


def fmt_mountoptions(v):
    for o in v.split(";"):
        if o not in ("discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"):
            raise FormatError(f"invalid mount option '{o}'")


def fmt_dev_path(v):
    if not v.startswith("/dev/") or re.search(r"/\.\.?/", v):
        raise FormatError(f"{v} is not a valid device path")


def S(type_, **kw):
    kw["type"] = type_
    return kw


BOOL = S("boolean")

NET_FORMAT = {
    "name": S("string", pattern=r"[-_.\w\d]+", required=True),
    "bridge": S("string", pattern=r"[-_.\w\d]+"),
    "hwaddr": S("string", format=fmt_mac),
    "ip": S("string", format=fmt_ipv4_config),
    "gw": S("string", format=fmt_ipv4),
    "ip6": S("string", format=fmt_ipv6_config),
    "gw6": S("string", format=fmt_ipv6),
    "tag": S("integer", minimum=1, maximum=4094),
    "trunks": S("string", pattern=r"\d+(?:;\d+)*"),
    "mtu": S("integer", minimum=64, maximum=65535),
    "firewall": BOOL,
    "rate": S("number", minimum=0),
    "link_down": BOOL,
    "host-managed": BOOL,
    "type": S("string", enum=["veth"]),
}

FEATURES_FORMAT = {
    "nesting": BOOL, "keyctl": BOOL, "fuse": BOOL, "mknod": BOOL,
    "force_rw_sys": BOOL,
    "mount": S("string", pattern=r"[a-zA-Z0-9_; ]+"),
}

ROOTFS_FORMAT = {
    "volume": S("string", format=fmt_mp_string, required=True),
    "size": S("string", format=fmt_disk_size),
    "acl": BOOL, "ro": BOOL, "quota": BOOL, "replicate": BOOL, "shared": BOOL,
    "mountoptions": S("string", format=fmt_mountoptions),
    "idmap": S("string"),
}
MP_FORMAT = dict(ROOTFS_FORMAT)
MP_FORMAT.update({
    "mp": S("string", format=fmt_mp_string, required=True),
    "backup": BOOL, "keepattrs": BOOL,
})

DEV_FORMAT = {
    "path": S("string", format=fmt_dev_path),
    "uid": S("integer", minimum=0), "gid": S("integer", minimum=0),
    "mode": S("string", pattern=r"0[0-7]{3}"),
    "deny-write": BOOL,
}


def parse_property_string(fmt, value, default_key=None):
    """Returns an ordered dict; raises FormatError / PropFormatError."""
    res = {}
    for part in value.split(","):
        if re.fullmatch(r"\s*", part):
            continue
        m = re.fullmatch(r"([^=]+)=(.+)", part, re.S)
        if m:
            k, v = m.group(1), m.group(2)
            if k in res:
                raise FormatError(f"duplicate key in comma-separated list property: {k}")
            if k not in fmt:
                raise FormatError(f"invalid key in comma-separated list property: {k}")
            if fmt[k]["type"] == "boolean":
                b = parse_boolean(v)
                v = str(b) if b is not None else v
            res[k] = v
        elif "=" not in part:
            if default_key and default_key in res:
                raise FormatError(f"duplicate key in comma-separated list property: {default_key}")
            if not default_key:
                raise FormatError("value without key, but schema does not define a default key")
            res[default_key] = part
        else:
            raise FormatError(f"missing value for key in comma-separated list property: {part}")
    errors = []
    for k in sorted(fmt):
        s = fmt[k]
        if k not in res:
            if s.get("required"):
                errors.append((k, "property is missing and it is not optional"))
            continue
        e = check_value(res[k], s)
        if e:
            errors.append((k, e))
    if errors:
        raise PropFormatError(errors)
    return res


def check_value(v, s):
    """Check a scalar against schema s; returns an error message or None."""
    t = s["type"]
    if t == "integer":
        if not re.fullmatch(r"[+-]?\d+", str(v)):
            return f"type check ('integer') failed - got '{v}'"
    elif t == "number":
        if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", str(v)):
            return f"type check ('number') failed - got '{v}'"
    elif t == "boolean":
        if parse_boolean(v) is None:
            return f"type check ('boolean') failed - got '{v}'"
    if t in ("integer", "number"):
        n = float(v)
        if "minimum" in s and n < s["minimum"]:
            return f"value must have a minimum value of {s['minimum']}"
        if "maximum" in s and n > s["maximum"]:
            return f"value must have a maximum value of {s['maximum']}"
    if t == "string":
        if "pattern" in s and not re.fullmatch(s["pattern"], v, re.S):
            return "value does not match the regex pattern"
        if "maxLength" in s and len(v) > s["maxLength"]:
            return f"value may only be {s['maxLength']} characters long"
        if "minLength" in s and len(v) < s["minLength"]:
            return f"value must be at least {s['minLength']} characters long"
    if "enum" in s and v not in s["enum"]:
        return f"value '{v}' does not have a value in the enumeration '{', '.join(s['enum'])}'"
    f = s.get("format")
    if callable(f):
        try:
            f(v)
        except FormatError as e:
            return f"invalid format - {e}"
    return None


def check_param(name, v, s):
    """Returns list of (path, msg)."""
    if s["type"] == "prop":
        try:
            parse_property_string(s["format"], v, s.get("default_key"))
        except FormatError as e:
            return [(name, f"invalid format - {e}")]
        except PropFormatError as e:
            return [(name, "invalid format - format error")] + \
                [(f"{name}.{k}", m) for k, m in e.errors]
        return []
    e = check_value(v, s)
    return [(name, e)] if e else []


def validate(params, schema, usage):
    errors = []
    for k in sorted(params):
        if k in schema:
            errors += check_param(k, str(params[k]), schema[k])
    if errors:
        raise ParamExc("Parameter verification failed.", errors=errors, usage=usage)


# --------------------------------------------------------------------------
# option tables
# --------------------------------------------------------------------------

VMID = S("integer", minimum=100, maximum=999999999, format=fmt_vmid)

CT_OPTIONS = {
    "arch": S("string", enum=["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"]),
    "cmode": S("string", enum=["shell", "console", "tty"]),
    "console": BOOL,
    "cores": S("integer", minimum=1, maximum=8192),
    "cpulimit": S("number", minimum=0, maximum=8192),
    "cpuunits": S("integer", minimum=0, maximum=500000),
    "debug": BOOL,
    "description": S("string", maxLength=8192),
    "entrypoint": S("string", pattern=r"[^\x00-\x08\x0a-\x1f\x7f]*"),
    "env": S("string"),
    "features": S("prop", format=FEATURES_FORMAT),
    "hookscript": S("string", format=fmt_volid_or_path),
    "hostname": S("string", maxLength=255, format=fmt_dns),
    "lock": S("string", enum=["backup", "create", "destroyed", "disk", "fstrim", "migrate",
                              "mounted", "rollback", "snapshot", "snapshot-delete"]),
    "memory": S("integer", minimum=16),
    "nameserver": S("string", format=fmt_ip_list),
    "onboot": BOOL,
    "ostype": S("string", enum=["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse",
                                "archlinux", "alpine", "gentoo", "nixos", "unmanaged"]),
    "protection": BOOL,
    "rootfs": S("prop", format=ROOTFS_FORMAT, default_key="volume"),
    "searchdomain": S("string", format=fmt_dns_list),
    "startup": S("string", format=fmt_startup),
    "swap": S("integer", minimum=0),
    "tags": S("string", format=fmt_tags),
    "template": BOOL,
    "timezone": S("string"),
    "tty": S("integer", minimum=0, maximum=6),
    "unprivileged": BOOL,
}
for _n in range(256):
    CT_OPTIONS[f"mp{_n}"] = S("prop", format=MP_FORMAT, default_key="volume")
    CT_OPTIONS[f"dev{_n}"] = S("prop", format=DEV_FORMAT, default_key="path")
    CT_OPTIONS[f"unused{_n}"] = S("string", format=fmt_volid_or_path)
for _n in range(32):
    CT_OPTIONS[f"net{_n}"] = S("prop", format=NET_FORMAT)

LIST_OPTS = {"nameserver", "searchdomain", "tags", "delete", "revert"}

CREATE_ONLY = {
    "storage": S("string", format=fmt_storage),
    "password": S("string", minLength=5),
    "ssh-public-keys": S("string"),
    "start": BOOL, "unique": BOOL, "restore": BOOL, "force": BOOL,
    "pool": S("string", pattern=r"[A-Za-z0-9_\-]+"),
    "ignore-unpack-errors": BOOL,
    "bwlimit": S("number", minimum=0),
    "ha-managed": BOOL,
}
SET_ONLY = {
    "delete": S("string", format=fmt_configid_list),
    "revert": S("string", format=fmt_configid_list),
    "digest": S("string", maxLength=40),
}

BOOL_KEYS = {k for k, s in CT_OPTIONS.items() if s["type"] == "boolean"}
INT_KEYS = {k for k, s in CT_OPTIONS.items() if s["type"] == "integer"}


def getopt_spec(schema):
    spec = {}
    for k, s in schema.items():
        if s["type"] == "boolean":
            spec[k] = "b"
        elif k in LIST_OPTS:
            spec[k] = "l"
        else:
            spec[k] = "s"
    return spec


# pct command table: name -> (positionals, options schema)
PCT_CMDS = {
    "list": ([], {}),
    "config": (["vmid"], {"current": BOOL, "snapshot": S("string")}),
    "pending": (["vmid"], {}),
    "set": (["vmid"], {**CT_OPTIONS, **SET_ONLY}),
    "resize": (["vmid", "disk", "size"], {"digest": S("string")}),
    "create": (["vmid", "ostemplate"],
               {**CT_OPTIONS, **CREATE_ONLY,
                "ostemplate": S("string", maxLength=255, format=fmt_volid_or_path)}),
    "restore": (["vmid", "ostemplate"], {**CT_OPTIONS, **CREATE_ONLY}),
    "destroy": (["vmid"], {"force": BOOL, "purge": BOOL, "destroy-unreferenced-disks": BOOL}),
    "start": (["vmid"], {"skiplock": BOOL, "debug": BOOL}),
    "stop": (["vmid"], {"skiplock": BOOL, "overrule-shutdown": BOOL}),
    "shutdown": (["vmid"], {"timeout": S("integer", minimum=0), "forceStop": BOOL}),
    "reboot": (["vmid"], {"timeout": S("integer", minimum=0)}),
    "suspend": (["vmid"], {}),
    "resume": (["vmid"], {}),
    "clone": (["vmid", "newid"], {}),
    "migrate": (["vmid", "target"], {}),
    "move-volume": (["vmid", "volume", "storage", "target-vmid", "target-volume"], {}),
    "move_volume": (["vmid", "volume", "storage", "target-vmid", "target-volume"], {}),
    "remote-migrate": (["vmid", "target-vmid", "target-endpoint"], {}),
    "snapshot": (["vmid", "snapname"], {}),
    "delsnapshot": (["vmid", "snapname"], {}),
    "rollback": (["vmid", "snapname"], {}),
    "listsnapshot": (["vmid"], {}),
    "template": (["vmid"], {}),
    "status": (["vmid"], {"verbose": BOOL}),
    "console": (["vmid"], {}),
    "enter": (["vmid"], {"keep-env": BOOL}),
    "exec": (["vmid", "extra-args"], {"keep-env": BOOL}),
    "unlock": (["vmid"], {}),
    "fsck": (["vmid"], {}),
    "mount": (["vmid"], {}),
    "unmount": (["vmid"], {}),
    "push": (["vmid", "file", "destination"], {}),
    "pull": (["vmid", "path", "destination"], {}),
    "df": (["vmid"], {}),
    "fstrim": (["vmid"], {}),
    "rescan": ([], {}),
    "cpusets": ([], {}),
    "help": (["extra-args"], {}),
}


def usage_line(exe, cmd, positionals, schema):
    s = f"{exe} {cmd}"
    for p in positionals:
        s += " [<extra-args>]" if p == "extra-args" else f" <{p}>"
    if [k for k in schema if k not in positionals]:
        s += " [OPTIONS]"
    return s


def resolve_cmd(exe, table, argv):
    """CLIHandler: expand unique prefixes; unknown -> short usage, exit 255."""
    if not argv:
        print_usage_short(exe, table, "no command specified")
        raise Exit(255)
    cmd = argv[0]
    if cmd not in table:
        hits = [c for c in table if c.startswith(cmd)]
        if len(hits) == 1:
            cmd = hits[0]
        else:
            print_usage_short(exe, table, f"unknown command '{exe} {argv[0]}'")
            raise Exit(255)
    return cmd


def print_usage_short(exe, table, msg):
    lines = [f"ERROR: {msg}", f"USAGE: {exe} <COMMAND> [ARGS] [OPTIONS]"]
    for c in sorted(table):
        pos, schema = table[c]
        lines.append("       " + usage_line(exe, c, pos, schema))
    err("\n".join(lines))


def parse_cmd(exe, cmd, table, args):
    positionals, schema = table[cmd]
    usage = usage_line(exe, cmd, positionals, schema)
    spec = getopt_spec({k: v for k, v in schema.items() if k not in positionals})
    opts = get_options(args, spec, positionals, usage)
    return opts, usage


# --------------------------------------------------------------------------
# container config files (pct.md §4)
# --------------------------------------------------------------------------

def encode_text(s):
    out_ = []
    for b in s.encode("utf-8"):
        if 0x20 <= b <= 0x24 or 0x26 <= b <= 0x39 or 0x3B <= b <= 0x7E:
            out_.append(chr(b))
        else:
            out_.append("%%%02X" % b)
    return "".join(out_)


def decode_text(s):
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  s.encode("utf-8")).decode("utf-8", "replace")


class Conf:
    def __init__(self, vmid):
        self.vmid = vmid
        self.description = None
        self.keys = {}
        self.lxc = []       # [(key, value)] in file order
        self.extra = ""     # raw text of [pve:pending] / snapshot sections

    @staticmethod
    def read(vmid):
        p = conf_path(vmid)
        if not os.path.exists(p):
            return None
        c = Conf(vmid)
        with open(p, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for idx, line in enumerate(lines):
            if re.fullmatch(r"\s*", line):
                continue
            if re.fullmatch(r"\[[^\]]+\]\s*", line):
                c.extra = "\n".join(lines[idx:]).rstrip("\n") + "\n"
                break
            if line.startswith("#"):
                c.description = (c.description or "") + decode_text(line[1:]) + "\n"
                continue
            m = re.fullmatch(r"(lxc\.[a-z0-9_.\-]+)(?:\s*:\s*|\s*=\s*)(.*?)\s*", line)
            if m:
                c.lxc.append((m.group(1), m.group(2)))
                continue
            m = re.fullmatch(r"description:\s*(.*?)\s*", line)
            if m:
                c.description = (c.description or "") + decode_text(m.group(1))
                continue
            m = re.fullmatch(r"([a-z][a-z_\-]*\d*):\s*(.*?)\s*", line)
            if m:
                k, v = m.group(1), m.group(2)
                if k in BOOL_KEYS and parse_boolean(v) is not None:
                    v = str(parse_boolean(v))
                elif k not in CT_OPTIONS and k not in ("digest", "parent"):
                    err(f"vm {vmid} - unable to parse value of '{k}' - unknown setting '{k}'")
                c.keys[k] = v
                continue
            err(f"vm {vmid} - unable to parse config: {line}")
        return c

    def text(self):
        s = ""
        if self.description:
            for line in re.sub(r"\n+$", "", self.description).split("\n"):
                s += "#" + encode_text(line) + "\n"
        for k in sorted(self.keys):
            s += f"{k}: {self.keys[k]}\n"
        for k, v in self.lxc:
            s += f"{k}: {v}\n"
        if self.extra:
            s += "\n" + self.extra
        return s

    def write(self):
        p = conf_path(self.vmid)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        tmp = p + ".tmp.%d" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.text())
        os.replace(tmp, p)


def load_conf(vmid):
    c = Conf.read(vmid)
    if c is None:
        raise Die(cfg_missing(vmid))
    return c


def check_lock(c, allow_mounted=False):
    lock = c.keys.get("lock")
    if lock and not (allow_mounted and lock == "mounted"):
        raise Die(f"CT is locked ({lock})")


# --------------------------------------------------------------------------
# value normalisation (what PVE writes)
# --------------------------------------------------------------------------

def format_size(nbytes):
    kb, r = divmod(nbytes, 1024)
    if r:
        return str(nbytes)
    mb, r = divmod(kb, 1024)
    if r:
        return f"{kb}K"
    gb, r = divmod(mb, 1024)
    if r:
        return f"{mb}M"
    tb, r = divmod(gb, 1024)
    if r:
        return f"{gb}G"
    return f"{tb}T"


def parse_size(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", s or "")
    if not m:
        return 0
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2)]
    return int(float(m.group(1)) * mult)


def print_prop(d, first=None):
    parts = []
    if first and first in d:
        parts.append(d[first] if first in ("volume", "path") else f"{first}={d[first]}")
    for k in sorted(d):
        if k != first:
            parts.append(f"{k}={d[k]}")
    return ",".join(parts)


def gen_hwaddr(vmid, opt, value):
    h = hashlib.sha1(f"{vmid}/{opt}/{value}".encode()).hexdigest().upper()
    return "BC:24:11:%s:%s:%s" % (h[0:2], h[2:4], h[4:6])


def norm_net(vmid, opt, value):
    d = parse_property_string(NET_FORMAT, value)
    if "hwaddr" not in d:
        d["hwaddr"] = gen_hwaddr(vmid, opt, value)
    d["type"] = "veth"
    return print_prop(d, "name")


def norm_tags(v):
    seen = []
    for t in split_list(v):
        t = t.lower()
        if t not in seen:
            seen.append(t)
    return ";".join(sorted(seen))


def norm_scalar(k, v):
    if k in BOOL_KEYS:
        return str(parse_boolean(v))
    if k in INT_KEYS:
        return str(int(v))
    if k == "tags":
        return norm_tags(v)
    if k in ("nameserver", "searchdomain"):
        return " ".join(split_list(v))
    return str(v)


def next_disk_index(c, vmid):
    used = set()
    for k, v in c.keys.items():
        for m in re.finditer(rf"vm-{vmid}-disk-(\d+)", v):
            used.add(int(m.group(1)))
    n = 0
    while n in used:
        n += 1
    return n


def alloc_mountpoint(c, vmid, opt, value, default_storage, task_errors):
    """rootfs / mpN: allocate STORE:SIZE, reprint property string.
    Returns the stored string; appends task-time errors (bind checks...)."""
    fmt = ROOTFS_FORMAT if opt == "rootfs" else MP_FORMAT
    d = parse_property_string(fmt, value, "volume")
    vol = d["volume"]
    if re.fullmatch(r"\d+(?:\.\d+)?", vol):
        vol = f"{default_storage}:{vol}"
    m = re.fullmatch(r"([^:]+):(\d+(?:\.\d+)?)", vol)
    if vol.startswith("/dev/"):
        pass
    elif vol.startswith("/"):
        task_errors.append(("bind", vol))
    elif m:
        store, gib = m.group(1), m.group(2)
        check_storage(store)
        mib = int(float(gib) * 1024)
        idx = next_disk_index(c, vmid)
        d["volume"] = f"{store}:vm-{vmid}-disk-{idx}"
        d["size"] = format_size(mib << 20)
        c.keys[opt] = print_prop(d, "volume")   # reserves the disk index
        return c.keys[opt]
    else:
        store, _, name = vol.partition(":")
        check_storage(store)
        if not re.fullmatch(r"(?:\d+/)?(?:base|vm|subvol)-\d+-disk-\d+(?:\.\w+)?", name):
            task_errors.append(("volume", f"unable to parse volume name '{name}'"))
    d["volume"] = vol
    return print_prop(d, "volume")


def check_storage(store):
    ds = CFG.get("disk_storages")
    if ds is not None and store not in ds:
        raise Die(f"storage '{store}' does not exist")


def bind_source_error(path):
    if not os.path.isdir(path):
        return f"directory '{path}' does not exist"
    cur = "/"
    for comp in [p for p in path.split("/") if p]:
        cur = os.path.join(cur, comp)
        if os.path.islink(cur):
            return f"bind mount source path '{path}' contains a symlink ('{cur}') - not allowed"
    return None


def bind_sources(c):
    res = []
    for k in sorted(c.keys):
        if re.fullmatch(r"mp\d+", k):
            vol = c.keys[k].split(",", 1)[0]
            if vol.startswith("/") and not vol.startswith("/dev/"):
                res.append(vol)
    return res


def ips_of(vmid, c):
    p = sp("ip", str(vmid))
    if os.path.exists(p):
        with open(p) as f:
            return f.read().split()
    net0 = c.keys.get("net0") if c else None
    if not net0:
        return []
    d = {}
    for part in net0.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            d[k] = v
    ips = []
    ip = d.get("ip")
    if ip == "dhcp":
        ips.append(f"10.0.{vmid // 256 % 256}.{vmid % 256}")
    elif ip and ip != "manual":
        ips.append(ip.split("/")[0])
    ip6 = d.get("ip6")
    if ip6 and ip6 not in ("auto", "dhcp", "manual"):
        ips.append(ip6.split("/")[0])
    return ips


# --------------------------------------------------------------------------
# pct
# --------------------------------------------------------------------------

def template_path(store, fname):
    base = "/var/lib/vz" if store == "local" else f"/mnt/pve/{store}"
    return f"{base}/template/cache/{fname}"


def run_task(fn, fail_prefix="", upid_exit=True):
    """Foreground worker: fn prints its log on stdout; failure -> stderr."""
    try:
        fn()
    except Die as e:
        err((fail_prefix + e.msg).replace("\n", " ").strip())
        raise Exit(255 if upid_exit else 0)


def vmid_of(opts):
    return int(opts["vmid"])


def pct_list(opts):
    rows = []
    for vmid in all_vmids():
        c = Conf.read(vmid)
        if c is None:
            continue
        name = re.sub(r"\s", "", c.keys.get("hostname", "")) or f"CT{vmid}"
        rows.append((str(vmid), "running" if is_running(vmid) else "stopped",
                     c.keys.get("lock", ""), name))
    if not rows:
        return
    out("%-10s %-10s %-12s %-20s" % ("VMID", "Status", "Lock", "Name"))
    for r in rows:
        out("%-10s %-10s %-12s %-20s" % r)


def pct_config(opts):
    vmid = vmid_of(opts)
    c = load_conf(vmid)
    if opts.get("snapshot") is not None:
        if opts.get("current"):
            raise ParamExc("Parameter verification failed.",
                           errors=[("current", "can't use together with 'snapshot'")])
        raise Die(f"snapshot '{opts['snapshot']}' does not exist")
    keys = dict(c.keys)
    if c.description is not None:
        keys["description"] = encode_text(c.description)
    for k in sorted(keys):
        out(f"{k}: {keys[k]}")
    for k, v in c.lxc:
        out(f"{k}: {v}")


def status_fields(vmid, c):
    running = is_running(vmid)
    mem = int(c.keys.get("memory", 512))
    swap = int(c.keys.get("swap", 0))
    rootfs = c.keys.get("rootfs", "")
    m = re.search(r"size=([^,]+)", rootfs)
    maxdisk = parse_size(m.group(1)) if m else 4 << 30
    f = {
        "cpus": int(c.keys.get("cores", 1)), "disk": 0, "diskread": 0, "diskwrite": 0,
        "maxdisk": maxdisk, "maxmem": mem << 20, "maxswap": swap << 20, "mem": 0,
        "name": re.sub(r"\s", "", c.keys.get("hostname", "")) or f"CT{vmid}",
        "netin": 0, "netout": 0, "status": "running" if running else "stopped",
        "swap": 0, "type": "lxc", "uptime": 0, "vmid": vmid,
    }
    if running:
        f["pid"] = 10000 + vmid
        f["uptime"] = 42
    for k in ("lock", "tags"):
        if k in c.keys:
            f[k] = c.keys[k]
    if c.keys.get("template") == "1":
        f["template"] = 1
    return f


def pct_status(opts):
    vmid = vmid_of(opts)
    c = load_conf(vmid)
    if opts.get("verbose"):
        for k, v in sorted(status_fields(vmid, c).items()):
            out(f"{k}: {v}")
    else:
        out("status: " + ("running" if is_running(vmid) else "stopped"))


def pct_create(opts):
    vmid = vmid_of(opts)
    node = CFG["node"]
    # param mapping (CLI): ssh-public-keys is a file path read by pct
    keys_text = None
    if "ssh-public-keys" in opts:
        path = opts["ssh-public-keys"]
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                keys_text = f.read()
        except OSError as e:
            raise Die(f"can't open '{path}' - {e.strerror}")
    if os.path.exists(conf_path(vmid)):
        raise Die(f"CT {vmid} already exists on node '{node}'")
    if vmid in CFG["qemu"]:
        raise Die(f"VM {vmid} already exists on node '{node}'")
    if keys_text is not None:
        for line in keys_text.split("\n"):
            if re.fullmatch(r"\s*(#.*)?", line):
                continue
            if not re.search(r"(^|\s)(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|"
                             r"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
                             r"\s+[A-Za-z0-9+/]+={0,3}(\s|$)", line):
                raise Die("SSH public key validation error")
    # ostemplate
    ostemplate = opts["ostemplate"]
    if ostemplate == "-":
        raise Die("restore from stdin is not supported by create")
    if ostemplate.startswith("/"):
        tpl_file, tpl_show = ostemplate, ostemplate
    else:
        store, _, volname = ostemplate.partition(":")
        if not os.path.isdir(sp("templates", store)):
            raise Die(f"storage '{store}' does not exist")
        m = re.fullmatch(r"(\w+)/(.+)", volname)
        if not m:
            raise Die(f"unable to parse directory volume name '{volname}'")
        if m.group(1) != "vztmpl":
            raise Die(f"unable to use volume {ostemplate} - content type needs to be 'vztmpl'")
        tpl_file = sp("templates", store, m.group(2))
        tpl_show = template_path(store, m.group(2))
    # mount points
    mps = [k for k in opts if re.fullmatch(r"mp\d+", k)]
    if mps and "rootfs" not in opts:
        raise Die("mount points configured, but 'rootfs' not set - aborting")
    storage = opts.get("storage", "local")
    c = Conf(vmid)
    task_errors = []
    rootfs = opts.get("rootfs", f"{storage}:4")
    c.keys["rootfs"] = alloc_mountpoint(c, vmid, "rootfs", rootfs, storage, task_errors)
    for k in sorted(mps, key=lambda x: int(x[2:])):
        c.keys[k] = alloc_mountpoint(c, vmid, k, opts[k], storage, task_errors)
    skip = {"vmid", "ostemplate", "rootfs", "storage", "password", "ssh-public-keys", "start",
            "unique", "restore", "force", "pool", "ignore-unpack-errors", "bwlimit",
            "ha-managed", "description"} | set(mps)
    for k, v in opts.items():
        if k in skip or re.fullmatch(r"unused\d+", k):
            continue
        if re.fullmatch(r"net\d+", k):
            c.keys[k] = norm_net(vmid, k, v)
        else:
            c.keys[k] = norm_scalar(k, v)
    if "description" in opts:
        c.description = opts["description"]
    unpriv = opts.get("unprivileged", 1)
    c.keys.pop("unprivileged", None)
    if unpriv:
        c.keys["unprivileged"] = "1"
    c.keys["lock"] = "create"
    c.write()

    def task():
        try:
            for kind, what in task_errors:
                if kind == "volume":
                    raise Die(what)
            for src in bind_sources(c):
                e = bind_source_error(src)
                if e:
                    raise Die(e)
            out(f"extracting archive '{tpl_show}'")
            if not os.path.isfile(tpl_file):
                out(f"tar: {tpl_show}: Cannot open: No such file or directory")
                out("tar: Error is not recoverable: exiting now")
                raise Die(f"command 'tar xpf - --totals --one-file-system -p --sparse "
                          f"--numeric-owner --acls --xattrs -C /var/lib/lxc/{vmid}/rootfs "
                          f"--skip-old-files --anchored --exclude './dev/*'' failed: exit code 2")
            size = max(os.path.getsize(tpl_file), 10240)
            human = f"{size / 1048576:.1f}MiB" if size >= 1 << 20 else f"{size // 1024}KiB"
            out(f"Total bytes read: {size} ({human}, 42MiB/s)")
            base = os.path.basename(tpl_file)
            am = re.search(r"_(amd64|i386|arm64|armhf|riscv32|riscv64)\.tar", base)
            out(f"Detected container architecture: {am.group(1) if am else 'amd64'}")
            c.keys.setdefault("arch", am.group(1) if am else "amd64")
            if "ostype" not in c.keys:
                om = re.match(r"(debian|devuan|ubuntu|centos|fedora|opensuse|archlinux|alpine|"
                              r"gentoo|nixos)", base)
                c.keys["ostype"] = om.group(1) if om else "unmanaged"
            c.keys.setdefault("hostname", f"CT{vmid}")
            c.keys.setdefault("memory", "512")
            c.keys.setdefault("swap", "512")
            if c.keys["ostype"] != "alpine":
                for t in ("rsa", "ecdsa", "ed25519"):
                    out(f"Creating SSH host key 'ssh_host_{t}_key' - this may take some time ...")
                    h = hashlib.sha256(f"{vmid}{t}".encode()).hexdigest()[:43]
                    out(f"done: SHA256:{h} root@{c.keys['hostname']}")
            del c.keys["lock"]
            c.write()
            if opts.get("start"):
                set_running(vmid, True)
        except Die as e:
            if os.path.exists(conf_path(vmid)):
                os.unlink(conf_path(vmid))
            raise Die(f"unable to create CT {vmid} - {e.msg}")

    run_task(task)


def pct_set(opts, usage):
    vmid = vmid_of(opts)
    changes = {k: v for k, v in opts.items() if k not in ("vmid", "delete", "revert", "digest")}
    deletes = split_list(opts.get("delete", ""))
    reverts = split_list(opts.get("revert", ""))
    if not changes and not deletes and not reverts:
        raise Die("no options specified")
    errors = []
    for k in deletes + reverts:
        if k not in CT_OPTIONS:
            errors.append(("delete" if k in deletes else "revert", f"unknown option '{k}'"))
        elif k in changes:
            errors.append(("delete", f"you can't use '-{k}' and -delete {k}' at the same time"))
    if errors:
        raise ParamExc("Parameter verification failed.", errors=errors, usage=usage)
    c = load_conf(vmid)
    if "digest" in opts:
        with open(conf_path(vmid), "rb") as f:
            if hashlib.sha1(f.read()).hexdigest() != opts["digest"]:
                raise Die("detected modified configuration - file changed by other user? Try again.")
    check_lock(c)
    protected = c.keys.get("protection") == "1"
    for k in deletes:
        if k == "unprivileged":
            raise Die("unable to delete read-only option: 'unprivileged'")
        if k in ("memory", "rootfs", "ostype"):
            raise Die(f"unable to delete required option '{k}'")
        if protected and re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
            raise Die(f"can't remove CT {vmid} drive '{k}' - protection mode enabled")
        if k == "description":
            if c.description is None:
                err(f"cannot delete '{k}' - not set in current configuration!")
            c.description = None
            continue
        if k not in c.keys:
            err(f"cannot delete '{k}' - not set in current configuration!")
            continue
        old = c.keys.pop(k)
        if re.fullmatch(r"mp\d+", k):
            vol = old.split(",", 1)[0]
            if not vol.startswith("/"):
                n = 0
                while f"unused{n}" in c.keys:
                    n += 1
                c.keys[f"unused{n}"] = vol
    task_errors = []
    for k in sorted(changes):
        v = changes[k]
        if k == "unprivileged":
            raise Die("unable to modify read-only option: 'unprivileged'")
        if protected and re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
            raise Die(f"can't update CT {vmid} drive '{k}' - protection mode enabled")
        if k == "description":
            c.description = v
        elif re.fullmatch(r"net\d+", k):
            c.keys[k] = norm_net(vmid, k, v)
        elif re.fullmatch(r"rootfs|mp\d+", k):
            c.keys[k] = alloc_mountpoint(c, vmid, k, v, "local", task_errors)
        else:
            c.keys[k] = norm_scalar(k, v)
    for kind, what in task_errors:
        if kind == "volume":
            raise Die(what)
    c.write()


def pct_start(opts):
    vmid = vmid_of(opts)
    if is_running(vmid):
        raise Die(f"CT {vmid} already running")

    def task():
        c = load_conf(vmid)
        if c.keys.get("template") == "1":
            raise Die("you can't start a CT if it's a template")
        if not opts.get("skiplock"):
            check_lock(c, allow_mounted=True)
        for src in bind_sources(c):
            e = bind_source_error(src)
            if e:
                out(e)
                out(f'lxc_init: 845 Failed to run lxc.hook.pre-start for container "{vmid}"')
                out(f'__lxc_start: 2034 Failed to initialize container "{vmid}"')
                raise Die(f"startup for container '{vmid}' failed")
        set_running(vmid, True)

    run_task(task)


def pct_stop(opts, shutdown=False):
    vmid = vmid_of(opts)
    if not is_running(vmid):
        raise Die(f"CT {vmid} not running")

    def task():
        c = load_conf(vmid)
        if not opts.get("skiplock"):
            check_lock(c, allow_mounted=True if not shutdown else False)
        set_running(vmid, False)

    run_task(task)


def pct_reboot(opts):
    vmid = vmid_of(opts)
    if not is_running(vmid):
        raise Die(f"VM {vmid} not running")

    def task():
        c = load_conf(vmid)
        check_lock(c)
        set_running(vmid, True)

    run_task(task)


def pct_destroy(opts):
    vmid = vmid_of(opts)
    c = load_conf(vmid)
    if c.keys.get("protection") == "1":
        raise Die(f"can't remove CT {vmid} - protection mode enabled")
    check_lock(c)
    if is_running(vmid) and not opts.get("force"):
        raise Die(f"unable to destroy CT {vmid} - container is running")

    def task():
        if is_running(vmid):
            out(f"forced to stop CT {vmid} before destroying!")
            set_running(vmid, False)
        c.keys["lock"] = "destroyed"
        c.write()
        for k in sorted(c.keys):
            if re.fullmatch(r"rootfs|mp\d+|unused\d+", k):
                vol = c.keys[k].split(",", 1)[0]
                if ":" in vol and not vol.startswith("/"):
                    out(f'  Logical volume "{vol.split(":", 1)[1]}" successfully removed.')
        os.unlink(conf_path(vmid))

    run_task(task)


def pct_exec(opts, stdin_data):
    vmid = vmid_of(opts)
    load_conf(vmid)
    if not is_running(vmid):
        raise Die(f"container '{vmid}' not running!")
    cmd = opts.get("extra-args") or []
    if not cmd:
        raise Die("missing command at /usr/share/perl5/PVE/CLI/pct.pm line 232.")
    if stdin_data is not None:
        r = subprocess.run(["bash", "-n"], input=stdin_data, capture_output=True)
        if r.returncode != 0:
            sys.stderr.buffer.write(r.stderr)
            sys.stderr.flush()
            raise Exit(r.returncode)
    raise Exit(0)


def pct_enter(opts):
    vmid = vmid_of(opts)
    load_conf(vmid)
    if not is_running(vmid):
        raise Die(f"container '{vmid}' not running!")


def pct_unlock(opts):
    vmid = vmid_of(opts)
    c = load_conf(vmid)
    if "lock" not in c.keys:
        raise Die("no lock found trying to remove any lock")
    del c.keys["lock"]
    c.write()


def exec_wants_stdin(argv):
    """Pre-parse: is this `pct exec <id> ... -- bash|sh ... -s ...`?"""
    try:
        cmd = resolve_cmd_quiet(PCT_CMDS, argv)
        if cmd != "exec":
            return False
        opts, _ = parse_cmd("pct", "exec", PCT_CMDS, argv[1:])
    except (Die, Exit):
        return False
    extra = opts.get("extra-args") or []
    return bool(extra) and os.path.basename(extra[0]) in ("bash", "sh") and \
        "-s" in extra[1:] and "-c" not in extra[1:]


def resolve_cmd_quiet(table, argv):
    if not argv:
        return None
    if argv[0] in table:
        return argv[0]
    hits = [c for c in table if c.startswith(argv[0])]
    return hits[0] if len(hits) == 1 else None


def main_pct(argv, via_sudo, stdin_data):
    cmd = resolve_cmd("pct", PCT_CMDS, argv)
    check_root(via_sudo)
    opts, usage = parse_cmd("pct", cmd, PCT_CMDS, argv[1:])
    positionals, schema = PCT_CMDS[cmd]
    sch = dict(schema)
    if "vmid" in positionals:
        sch["vmid"] = VMID
    validate(opts, sch, usage)
    with Lock():
        if cmd == "list":
            pct_list(opts)
        elif cmd == "config":
            pct_config(opts)
        elif cmd == "status":
            pct_status(opts)
        elif cmd == "create":
            pct_create(opts)
        elif cmd == "set":
            pct_set(opts, usage)
        elif cmd == "start":
            pct_start(opts)
        elif cmd == "stop":
            pct_stop(opts)
        elif cmd == "shutdown":
            pct_stop(opts, shutdown=True)
        elif cmd == "reboot":
            pct_reboot(opts)
        elif cmd == "destroy":
            pct_destroy(opts)
        elif cmd == "exec":
            pct_exec(opts, stdin_data)
        elif cmd == "enter":
            pct_enter(opts)
        elif cmd == "unlock":
            pct_unlock(opts)
        else:
            raise Die(f"fakehost: 'pct {cmd}' is not implemented by the fake")


# --------------------------------------------------------------------------
# pveam
# --------------------------------------------------------------------------

PVEAM_CMDS = {
    "update": ([], {}),
    "available": ([], {"section": S("string", enum=["system", "mail", "turnkeylinux"])}),
    "list": (["storage"], {"content": S("string")}),
    "download": (["storage", "template"], {}),
    "remove": (["template_path"], {}),
    "help": (["extra-args"], {}),
}


def read_available():
    p = sp("available.txt")
    res = []
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    res.append((parts[0], parts[1], parts[2] if len(parts) > 2 else "unknown"))
    return sorted(res)


def template_storage(store):
    if not os.path.isdir(sp("templates", store)):
        ds = CFG.get("disk_storages")
        if ds is not None and store in ds:
            raise Die("Storage does not support templates!")
        raise Die(f"storage '{store}' does not exist")
    return sp("templates", store)


def main_pveam(argv, via_sudo):
    cmd = resolve_cmd("pveam", PVEAM_CMDS, argv)
    check_root(via_sudo)
    opts, usage = parse_cmd("pveam", cmd, PVEAM_CMDS, argv[1:])
    positionals, schema = PVEAM_CMDS[cmd]
    validate(opts, {**schema, "storage": S("string", format=fmt_storage)}, usage)
    with Lock():
        if cmd == "update":
            out("update successful")
        elif cmd == "available":
            for sec, name, arch in read_available():
                if opts.get("section") in (None, sec):
                    out("%-15s %-60s %s" % (sec, name, arch))
        elif cmd == "list":
            d = template_storage(opts["storage"])
            out("%-60s %s" % ("NAME", "SIZE"))
            rows = []
            for n in os.listdir(d):
                if os.path.isfile(os.path.join(d, n)):
                    rows.append((f"{opts['storage']}:vztmpl/{n}", os.path.getsize(os.path.join(d, n))))
            for volid, size in sorted(rows, key=lambda r: r[0].lower()):
                out("%-60s %-4.2fMB" % (volid, size / (1024 * 1024)))
        elif cmd == "download":
            store, tpl = opts["storage"], opts["template"]
            avail = {n: s for s, n, a in read_available()}
            if tpl not in avail:
                raise ParamExc("Parameter verification failed.",
                               errors=[("template", "no such template")], usage=usage)
            if not os.path.isdir(sp("templates", store)):
                raise Die(f"storage '{store}' does not support templates")
            dest = sp("templates", store, tpl)
            show = template_path(store, tpl)
            if os.path.exists(dest):
                out("calculating checksum of existing file...OK, got correct file already, "
                    "no need to download")
            else:
                url = f"http://download.proxmox.com/images/{avail[tpl]}/{tpl}"
                out(f"downloading {url} to {show}")
                open(dest, "wb").close()
                out("calculating checksum...OK, checksum verified")
                out(f"download of '{url}' to '{show}' finished")
        elif cmd == "remove":
            v = opts["template_path"]
            store, _, volname = v.partition(":")
            m = re.fullmatch(r"vztmpl/(.+)", volname)
            if not m:
                raise Die(f"unable to use volume {v} - content type needs to be 'vztmpl'")
            f = os.path.join(template_storage(store), m.group(1))
            if os.path.exists(f):
                os.unlink(f)
        else:
            raise Die(f"fakehost: 'pveam {cmd}' is not implemented by the fake")


# --------------------------------------------------------------------------
# pvesh
# --------------------------------------------------------------------------

PVESH_CMDS = {
    "get": (["api_path"], {}), "set": (["api_path"], {}), "create": (["api_path"], {}),
    "delete": (["api_path"], {}), "ls": (["api_path"], {}), "usage": (["api_path"], {}),
    "help": (["extra-args"], {}),
}
FORMAT_OPTS = {
    "output-format": S("string", enum=["text", "json", "json-pretty", "yaml"]),
    "noheader": BOOL, "noborder": BOOL, "quiet": BOOL, "human-readable": BOOL,
}


def canonical_json(v, pretty=False):
    if pretty:
        return json.dumps(v, sort_keys=True, indent=3)
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def lxc_resources():
    res = []
    for vmid in all_vmids():
        c = Conf.read(vmid)
        if c is None:
            continue
        f = status_fields(vmid, c)
        r = {"id": f"lxc/{vmid}", "vmid": vmid, "type": "lxc", "node": CFG["node"],
             "status": f["status"], "name": f["name"],
             "template": 1 if c.keys.get("template") == "1" else 0,
             "uptime": f["uptime"], "maxcpu": f["cpus"], "cpu": 0, "maxmem": f["maxmem"],
             "mem": 0, "maxdisk": f["maxdisk"], "disk": 0, "netin": 0, "netout": 0,
             "diskread": 0, "diskwrite": 0}
        for k in ("tags", "lock"):
            if k in c.keys:
                r[k] = c.keys[k]
        res.append(r)
    for vmid in CFG["qemu"]:
        res.append({"id": f"qemu/{vmid}", "vmid": vmid, "type": "qemu", "node": CFG["node"],
                    "status": "stopped", "name": f"VM{vmid}", "template": 0})
    return sorted(res, key=lambda r: str(r["vmid"]))


def main_pvesh(argv, via_sudo):
    cmd = resolve_cmd("pvesh", PVESH_CMDS, argv)
    check_root(via_sudo)
    args = argv[1:]
    # phase 1: find the api path with a generic spec; phase 2: per-path schema
    generic = {"vmid": "s", "type": "s", "current": "b", "snapshot": "s",
               **getopt_spec(FORMAT_OPTS)}
    _, pos1, _ = getopt(args, generic)
    path = pos1[0] if pos1 else None
    norm = "/" + "/".join(p for p in (path or "").split("/") if p)
    node = CFG["node"]
    if cmd != "get":
        raise Die(f"fakehost: 'pvesh {cmd}' is not implemented by the fake")
    usage = "pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]"
    if norm == "/cluster/nextid":
        params = {"vmid": S("integer", minimum=100, maximum=999999999)}
    elif norm == "/cluster/resources":
        params = {"type": S("string", enum=["vm", "storage", "node", "sdn"])}
    elif re.fullmatch(rf"/nodes/(localhost|{re.escape(node)})/lxc", norm):
        params = {}
    elif re.fullmatch(rf"/nodes/(localhost|{re.escape(node)})/lxc/\d+/(config|status/current)", norm):
        params = {"current": BOOL, "snapshot": S("string")}
    else:
        if path is None:
            raise ParamExc("not enough arguments", usage=usage)
        raise Die(f"No 'get' handler defined for '{path}'")
    schema = {**params, **FORMAT_OPTS}
    opts = get_options(args, getopt_spec(schema), ["api_path"], usage)
    validate(opts, schema, usage)
    fmt = opts.get("output-format", "text")
    with Lock():
        if norm == "/cluster/nextid":
            taken = set(all_vmids()) | set(CFG["qemu"])
            if "vmid" in opts:
                v = int(opts["vmid"])
                if v in taken:
                    raise ParamExc("Parameter verification failed.",
                                   errors=[("vmid", f"VM {v} already exists")], usage=usage)
                result = str(v)
            else:
                lower = 100
                if os.path.exists(sp("nextid")):
                    with open(sp("nextid")) as f:
                        lower = int(f.read().strip())
                v = lower
                while v in taken and v < 1000000:
                    v += 1
                if v >= 1000000:
                    raise Die(f"unable to get any free VMID in range [{lower}, 1000000]")
                result = v
            if fmt == "text":
                out(str(result))
            else:
                out(canonical_json(result, fmt == "json-pretty"))
            return
        if norm == "/cluster/resources":
            result = lxc_resources()
            if opts.get("type") not in (None, "vm"):
                result = []
        elif norm.endswith("/lxc"):
            result = []
            for vmid in all_vmids():
                c = Conf.read(vmid)
                if c is not None:
                    result.append(status_fields(vmid, c))
        else:
            vmid = int(norm.split("/")[4])
            c = load_conf(vmid)
            if norm.endswith("/config"):
                result = dict(c.keys)
                for k in BOOL_KEYS | INT_KEYS:
                    if k in result and re.fullmatch(r"-?\d+", result[k]):
                        result[k] = int(result[k])
                if c.description is not None:
                    result["description"] = c.description
                if c.lxc:
                    result["lxc"] = [[k, v] for k, v in c.lxc]
                with open(conf_path(vmid), "rb") as f:
                    result["digest"] = hashlib.sha1(f.read()).hexdigest()
            else:
                result = status_fields(vmid, c)
                result["ha"] = {"managed": 0}
        if fmt in ("json", "json-pretty"):
            out(canonical_json(result, fmt == "json-pretty"))
        else:
            raise Die("fakehost: only --output-format json|json-pretty is implemented for "
                      f"'{norm}'")


# --------------------------------------------------------------------------
# lxc-info / lxc-ls (LXC's getopt_long style)
# --------------------------------------------------------------------------

def lxc_getopt(prog, argv, short, longs):
    """short: e.g. 'n:isp'; longs: name -> (key, takes_arg).  Returns (opts, pos)."""
    opts, pos = {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            pos += argv[i:]
            break
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if name not in longs:
                raise Die(f"{prog}: unrecognized option '{a}'", 1)
            key, takes = longs[name]
            if takes:
                if not eq:
                    if i >= len(argv):
                        raise Die(f"{prog}: option '--{name}' requires an argument", 1)
                    val = argv[i]
                    i += 1
                opts[key] = val
            else:
                opts[key] = True
        elif a.startswith("-") and a != "-":
            j = 1
            while j < len(a):
                ch = a[j]
                idx = short.find(ch)
                if idx < 0 or ch == ":":
                    raise Die(f"{prog}: invalid option -- '{ch}'", 1)
                if idx + 1 < len(short) and short[idx + 1] == ":":
                    val = a[j + 1:]
                    if not val:
                        if i >= len(argv):
                            raise Die(f"{prog}: option requires an argument -- '{ch}'", 1)
                        val = argv[i]
                        i += 1
                    opts[ch] = val
                    break
                opts[ch] = True
                j += 1
        else:
            pos.append(a)
    return opts, pos


def lxc_visible(via_sudo):
    """Non-root without sudo sees no containers (its own empty lxcpath)."""
    return CFG["root"] or via_sudo


def main_lxc_info(argv, via_sudo):
    opts, _ = lxc_getopt("lxc-info", argv, "n:c:ispSHP:",
                         {"name": ("n", True), "ips": ("i", False), "state": ("s", False),
                          "pid": ("p", False), "stats": ("S", False),
                          "no-humanize": ("H", False), "config": ("c", True),
                          "lxcpath": ("P", True)})
    name = opts.get("n")
    if not name:
        raise Die("lxc-info: No container name specified", 1)
    vmid = int(name) if re.fullmatch(r"[1-9]\d*", name) else None
    c = Conf.read(vmid) if vmid and lxc_visible(via_sudo) else None
    if c is None:
        raise Die(f"{name} doesn't exist", 1)
    humanize = not opts.get("H")
    flags = [f for f in ("s", "p", "i") if opts.get(f)]
    if not flags and not opts.get("S"):
        flags = ["s", "p", "i"]
        out("%-15s %s" % ("Name:", name))
    single = len(flags) == 1 and not opts.get("S")
    running = is_running(vmid)

    def show(key, value):
        out(str(value) if (not humanize and single) else "%-15s %s" % (key, value))

    if "s" in flags:
        show("State:", "RUNNING" if running else "STOPPED")
    if running:
        if "p" in flags:
            show("PID:", 10000 + vmid)
        if "i" in flags:
            for ip in ips_of(vmid, c):
                show("IP:", ip)


def main_lxc_ls(argv, via_sudo):
    opts, pos = lxc_getopt("lxc-ls", argv, "1fF:g:P:",
                           {"line": ("1", False), "fancy": ("f", False),
                            "fancy-format": ("F", True), "active": ("active", False),
                            "running": ("running", False), "frozen": ("frozen", False),
                            "stopped": ("stopped", False), "nesting": ("nesting", False),
                            "groups": ("g", True), "filter": ("filter", True),
                            "lxcpath": ("P", True)})
    rows = []
    if lxc_visible(via_sudo):
        for vmid in sorted(all_vmids(), key=str):
            name = str(vmid)
            flt = opts.get("filter") or (pos[0] if len(pos) == 1 else None)
            if flt and not re.search(flt, name):
                continue
            running = is_running(vmid)
            if (opts.get("running") or opts.get("active")) and not running:
                continue
            if opts.get("stopped") and running:
                continue
            c = Conf.read(vmid)
            ipv4 = [ip for ip in ips_of(vmid, c) if ":" not in ip] if running else []
            ipv6 = [ip for ip in ips_of(vmid, c) if ":" in ip] if running else []
            rows.append({"NAME": name, "STATE": "RUNNING" if running else "STOPPED",
                         "IPV4": ", ".join(ipv4) or "-", "IPV6": ", ".join(ipv6) or "-",
                         "PID": str(10000 + vmid) if running else "-",
                         "AUTOSTART": "0", "GROUPS": "-", "INTERFACE": "-",
                         "RAM": "-", "SWAP": "-"})
    if not rows:
        return
    if not opts.get("f"):
        width = max(len(r["NAME"]) for r in rows)
        for r in rows:
            out("%-*s" % (width, r["NAME"]))
        return
    cols = [x.strip().upper() for x in
            (opts.get("F") or "NAME,STATE,AUTOSTART,GROUPS,IPV4,IPV6").split(",")]
    for col in cols:
        if col not in rows[0]:
            raise Die(f"Invalid key: {col}", 0)
    widths = {col: max([len(col)] + [len(r[col]) for r in rows]) for col in cols}
    out("".join("%-*s " % (widths[col], col) for col in cols))
    for r in rows:
        out("".join("%-*s " % (widths[col], r[col]) for col in cols))


# --------------------------------------------------------------------------
# sudo
# --------------------------------------------------------------------------

def main_sudo(argv):
    log_call("sudo", argv)
    apply_rules("sudo", argv)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a in ("-u", "-g"):
            i += 2
            continue
        if a.startswith("-") and len(a) > 1:
            i += 1
            continue
        break
    cmd = argv[i:]
    if not cmd:
        err("usage: sudo [-n] [--] command [arg ...]")
        raise Exit(1)
    exe = shutil.which(cmd[0]) if "/" not in cmd[0] else cmd[0]
    if not exe:
        err(f"sudo: {cmd[0]}: command not found")
        raise Exit(1)
    env = dict(os.environ)
    env[SUDO_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(exe, cmd, env)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------

def main():
    global CFG, STATE
    CFG = load_cfg()
    STATE = CFG["state"]
    argv = sys.argv[1:]
    try:
        if PROG == "sudo":
            main_sudo(argv)
            return 0
        save = PROG == "pct" and exec_wants_stdin(argv)
        via_sudo, stdin_data = log_call(PROG, argv, save_stdin=save)
        apply_rules(PROG, argv)
        if CFG.get("delay_ms"):
            time.sleep(CFG["delay_ms"] / 1000.0)
        if PROG == "pct":
            main_pct(argv, via_sudo, stdin_data)
        elif PROG == "pveam":
            main_pveam(argv, via_sudo)
        elif PROG == "pvesh":
            main_pvesh(argv, via_sudo)
        elif PROG == "lxc-info":
            main_lxc_info(argv, via_sudo)
        elif PROG == "lxc-ls":
            main_lxc_ls(argv, via_sudo)
        else:
            raise Die(f"fakehost: unknown program name '{PROG}'", 99)
        return 0
    except Exit as e:
        return e.code
    except ParamExc as e:
        sys.stdout.flush()
        sys.stderr.write(e.render())
        return e.code
    except Die as e:
        err(e.msg)
        return e.code
    finally:
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())

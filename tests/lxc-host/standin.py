"""pct / pveam / pvesh stand-in backed by real LXC (git-lxc end-to-end test tier).

Shared implementation of the `pct`, `pveam` and `pvesh` executables in this
folder.  See README.md for the supported subset.  Python 3 stdlib only.

Configuration: `standin.conf` (JSON object) looked up next to the invoked
executable first (so a test may symlink the executables into its own bin
folder and put a conf beside them), then next to this file.  The tools are
called with a cleared environment, so nothing is read from env vars.
"""

import ctypes
import fcntl
import hashlib
import ipaddress
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

DEFAULTS = {
    "state_dir": "/var/lib/git-lxc-standin",
    # pve_dir / templates_dir / images_dir default to <state_dir>/pve|templates|images
    "lxcpath": "/var/lib/lxc",
    "node": None,                 # default: short host name
    "template_storages": ["local"],
    "network": "bridge",          # "bridge" (veth on a stand-in bridge) or "empty"
    "bridge": "gitlxcbr0",
    "bridge_cidr": "10.177.0.1/16",
    "nat": True,                  # masquerade the bridge subnet out of the host
    "start_timeout": 30,
}


def _conf_candidates():
    seen = []
    try:
        if os.path.basename(sys.argv[0]) in ("pct", "pveam", "pvesh"):
            inv = os.path.dirname(os.path.abspath(sys.argv[0]))
            seen.append(os.path.join(inv, "standin.conf"))
    except Exception:
        pass
    seen.append(os.path.join(HERE, "standin.conf"))
    return seen


def _parse_conf_text(text):
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        return json.loads(text)
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        k, v = k.strip(), v.strip()
        if v.lower() in ("true", "false"):
            v = v.lower() == "true"
        elif re.fullmatch(r"\d+", v):
            v = int(v)
        elif k == "template_storages":
            v = [s for s in re.split(r"[,\s]+", v) if s]
        out[k] = v
    return out


def _load():
    c = dict(DEFAULTS)
    for p in _conf_candidates():
        if os.path.isfile(p):
            with open(p) as f:
                c.update(_parse_conf_text(f.read()))
            c["_conf_file"] = p
            break
    s = c["state_dir"]
    c["pve_dir"] = c.get("pve_dir") or os.path.join(s, "pve")
    c["templates_dir"] = c.get("templates_dir") or os.path.join(s, "templates")
    c["images_dir"] = c.get("images_dir") or os.path.join(s, "images")
    c["node"] = c.get("node") or socket.gethostname().split(".")[0]
    return c


CONF = _load()
NODE = CONF["node"]
LXCPATH = CONF["lxcpath"]


# --------------------------------------------------------------------------
# errors / output helpers


class Die(Exception):
    def __init__(self, msg, code=255):
        Exception.__init__(self, msg)
        self.msg = msg
        self.code = code


class ParamError(Exception):
    def __init__(self, errors):
        Exception.__init__(self, "param")
        self.errors = errors  # list of (param, message)


def out(s=""):
    sys.stdout.write(s + "\n")
    sys.stdout.flush()


def err(s):
    sys.stderr.write(s + "\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------
# Getopt::Long emulation (PVE::JSONSchema::get_options)

BOOL_TRUE = ("1", "yes", "on", "true")
BOOL_FALSE = ("0", "no", "off", "false")


def parse_bool(v):
    if v is None:
        return None
    lv = str(v).lower()
    if lv in BOOL_TRUE:
        return 1
    if lv in BOOL_FALSE:
        return 0
    return None


class UsageError(Exception):
    """400 error raised while parsing the command line; message printed as-is."""

    def __init__(self, lines):
        Exception.__init__(self, lines[0] if lines else "")
        self.lines = lines


def getopt(args, spec, listopts=()):
    """spec: {name: 'bool'|'value'}.  Returns (opts, positionals)."""
    opts = {}
    pos = []
    names = list(spec)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            pos.extend(args[i + 1:])
            break
        m = re.match(r"^--?([^-=][^=]*)(?:=(.*))?$", a, re.S) if a.startswith("-") else None
        if not m or a == "-":
            pos.append(a)
            i += 1
            continue
        raw, val = m.group(1), m.group(2)
        low = raw.lower()
        if low in names:
            name = low
        else:
            cands = [n for n in names if n.startswith(low)]
            if len(cands) == 1:
                name = cands[0]
            else:
                if cands:
                    err("Option %s is ambiguous (%s)" % (raw, ", ".join(sorted(cands))))
                else:
                    err("Unknown option: %s" % raw)
                raise UsageError(["400 unable to parse option"])
        kind = spec[name]
        if kind == "bool":
            if val is None and i + 1 < len(args) and not args[i + 1].startswith("-"):
                val = args[i + 1]
                i += 1
            if val is None or val == "":
                b = 1
            else:
                b = parse_bool(val)
                if b is None:
                    raise UsageError(["400 unable to parse boolean option"])
            opts[name] = b
        else:
            if val is None:
                if i + 1 >= len(args):
                    err("Option %s requires an argument" % raw)
                    raise UsageError(["400 unable to parse option"])
                val = args[i + 1]
                i += 1
            if name in listopts and name in opts:
                opts[name] = opts[name] + "," + val
            else:
                opts[name] = val
        i += 1
    return opts, pos


# --------------------------------------------------------------------------
# schema checks

DNS_LABEL = r"[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?"
DNS_NAME = r"^(%s\.)*%s$" % (DNS_LABEL, DNS_LABEL)
OSTYPES = ["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux",
           "alpine", "gentoo", "nixos", "unmanaged"]
ARCHES = ["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"]
LOCKS = ["backup", "create", "destroyed", "disk", "fstrim", "migrate", "mounted",
         "rollback", "snapshot", "snapshot-delete"]


def chk_int(v, lo=None, hi=None, typ="integer"):
    s = str(v)
    if typ == "integer":
        if not re.fullmatch(r"[+-]?\d+", s):
            return None, "type check ('integer') failed - got '%s'" % s
        n = int(s)
    else:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s):
            return None, "type check ('number') failed - got '%s'" % s
        n = float(s)
    if lo is not None and n < lo:
        return None, "value must have a minimum value of %s" % lo
    if hi is not None and n > hi:
        return None, "value must have a maximum value of %s" % hi
    return n, None


def chk_enum(v, values):
    if v not in values:
        return "value '%s' does not have a value in the enumeration '%s'" % (v, ", ".join(values))
    return None


def is_ipv4(s):
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


def is_ipv6(s):
    try:
        ipaddress.IPv6Address(s.split("%")[0])
        return True
    except ValueError:
        return False


def parse_propstring(s, keys, default_key=None):
    """keys: {key: checker(value)->(normalised, error)}. Returns dict or raises ValueError(detail)."""
    res = {}
    for part in s.split(","):
        if part == "":
            continue
        if "=" in part:
            k, v = part.split("=", 1)
        elif default_key:
            k, v = default_key, part
        else:
            raise ValueError("value without key, but schema does not define a default key")
        if k in res:
            raise ValueError("duplicate key in comma-separated list property: %s" % k)
        if k not in keys:
            raise ValueError("unknown property '%s'" % k)
        nv, e = keys[k](v)
        if e:
            raise ValueError("%s: %s" % (k, e))
        res[k] = nv
    return res


def _b(v):
    b = parse_bool(v)
    if b is None:
        return None, "type check ('boolean') failed - got '%s'" % v
    return b, None


def _s(v):
    return v, None


def _i(lo=None, hi=None):
    def f(v):
        n, e = chk_int(v, lo, hi)
        return n, e
    return f


def _re(rx, msg="value does not match the regex pattern"):
    def f(v):
        if not re.fullmatch(rx, v):
            return None, msg
        return v, None
    return f


def _path_ok(p):
    return not ("/./" in p or "/../" in p or p.endswith("/.") or p.endswith("/..") or p.startswith("../"))


def _size(v):
    if not re.fullmatch(r"\d+(\.\d+)?[KMGT]?", v):
        return None, "invalid format - disk size '%s' does not match" % v
    return v, None


MP_KEYS = {
    "volume": _s, "mp": _s, "size": _size, "acl": _b, "ro": _b, "quota": _b, "replicate": _b,
    "shared": _b, "backup": _b, "keepattrs": _b,
    "mountoptions": _re(r"(discard|lazytime|noatime|nodev|noexec|nosuid)(;(discard|lazytime|noatime|nodev|noexec|nosuid))*"),
    "idmap": _s,
}
ROOTFS_KEYS = {k: v for k, v in MP_KEYS.items() if k not in ("mp", "backup", "keepattrs")}


def _mac(v):
    if not re.fullmatch(r"[0-9a-fA-F][02468aAcCeE](:[0-9a-fA-F]{2}){5}", v):
        return None, "value does not match the regex pattern"
    return v.upper(), None


def _ip4cidr(v):
    if v in ("dhcp", "manual"):
        return v, None
    m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+)/(\d+)", v)
    if not m or not is_ipv4(m.group(1)) or not 8 <= int(m.group(2)) <= 32:
        if not m:
            return None, "value does not match the regex pattern"
        return None, "invalid format - invalid CIDR '%s'" % v
    return v, None


def _ip6cidr(v):
    if v in ("auto", "dhcp", "manual"):
        return v, None
    m = re.fullmatch(r"([0-9a-fA-F:.]+)/(\d+)", v)
    if not m or not is_ipv6(m.group(1)) or not 8 <= int(m.group(2)) <= 128:
        return None, "value does not match the regex pattern"
    return v, None


def _ip4(v):
    return (v, None) if is_ipv4(v) else (None, "invalid format - value does not look like a valid IPv4 address")


def _ip6(v):
    return (v, None) if is_ipv6(v) else (None, "invalid format - value does not look like a valid IPv6 address")


NET_KEYS = {
    "name": _re(r"[-_.\w\d]+"), "bridge": _re(r"[-_.\w\d]+"), "hwaddr": _mac, "ip": _ip4cidr,
    "gw": _ip4, "ip6": _ip6cidr, "gw6": _ip6, "tag": _i(1, 4094), "trunks": _re(r"\d+(;\d+)*"),
    "mtu": _i(64, 65535), "firewall": _b, "rate": lambda v: chk_int(v, 0, None, "number"),
    "link_down": _b, "host-managed": _b, "type": lambda v: (v, chk_enum(v, ["veth"])),
}
FEATURE_KEYS = {"nesting": _b, "keyctl": _b, "fuse": _b, "mknod": _b, "force_rw_sys": _b,
                "mount": _re(r"[a-zA-Z0-9_; ]+")}


def fmt_prop(d, first=None, default_key=None):
    parts = []
    if default_key and default_key in d:
        parts.append(str(d[default_key]))
    if first and first in d:
        parts.append("%s=%s" % (first, d[first]))
    for k in sorted(d):
        if k in (first, default_key):
            continue
        parts.append("%s=%s" % (k, d[k]))
    return ",".join(parts)


def check_option(name, v):
    """Validate and normalise one config option.  Returns (value, error)."""
    if name == "arch":
        return v, chk_enum(v, ARCHES)
    if name == "ostype":
        return v, chk_enum(v, OSTYPES)
    if name == "cmode":
        return v, chk_enum(v, ["shell", "console", "tty"])
    if name == "lock":
        return v, chk_enum(v, LOCKS)
    if name == "cores":
        return chk_int(v, 1, 8192)
    if name == "cpulimit":
        return chk_int(v, 0, 8192, "number")
    if name == "cpuunits":
        return chk_int(v, 0, 500000)
    if name == "memory":
        return chk_int(v, 16)
    if name == "swap":
        return chk_int(v, 0)
    if name == "tty":
        return chk_int(v, 0, 6)
    if name in ("onboot", "unprivileged", "protection", "console", "debug", "template"):
        return _b(v)
    if name == "hostname":
        if len(v) > 255:
            return None, "value may only be 255 characters long"
        if not re.match(DNS_NAME, v):
            return None, "invalid format - value does not look like a valid DNS name"
        return v, None
    if name == "description":
        if len(v) > 8192:
            return None, "value may only be 8192 characters long"
        return v, None
    if name == "searchdomain":
        items = [x for x in re.split(r"[,;\s\0]+", v) if x]
        for x in items:
            if not re.match(DNS_NAME, x):
                return None, "invalid format - value does not look like a valid DNS name"
        return " ".join(items), None
    if name == "nameserver":
        items = [x for x in re.split(r"[,;\s\0]+", v) if x]
        for x in items:
            if not (is_ipv4(x) or is_ipv6(x)):
                return None, "invalid format - value does not look like a valid IP address"
        return " ".join(items), None
    if name == "tags":
        items = [x for x in re.split(r"[,;\s\0]+", v) if x]
        for x in items:
            if not re.fullmatch(r"[a-z0-9_][a-z0-9_+.\-]*", x, re.I):
                return None, "invalid format - value does not match the regex pattern"
        return ";".join(sorted(set(x.lower() for x in items))), None
    if name == "features":
        try:
            d = parse_propstring(v, FEATURE_KEYS)
        except ValueError as e:
            return None, "invalid format - %s" % e
        return fmt_prop(d), None
    if name == "startup":
        if not re.fullmatch(r"((order=)?\d+)?(,?up=\d+)?(,?down=\d+)?", v):
            return None, "invalid format - value does not look like a valid startup order"
        return v, None
    if name == "timezone":
        return v, None
    if name in ("entrypoint", "hookscript"):
        return v, None
    m = re.fullmatch(r"(rootfs|mp(\d+))", name)
    if m:
        try:
            d = parse_propstring(v, ROOTFS_KEYS if name == "rootfs" else MP_KEYS, "volume")
        except ValueError as e:
            return None, "invalid format - %s" % e
        if "volume" not in d:
            return None, "invalid format - volume: property is missing and it is not optional"
        if name != "rootfs" and "mp" not in d:
            return None, "invalid format - mp: property is missing and it is not optional"
        for k in ("volume", "mp"):
            if k in d and not _path_ok(d[k]):
                return None, "invalid format - %s contains illegal character sequences" % d[k]
        return d, None
    m = re.fullmatch(r"net(\d+)", name)
    if m:
        try:
            d = parse_propstring(v, NET_KEYS)
        except ValueError as e:
            return None, "invalid format - %s" % e
        if "name" not in d:
            return None, "invalid format - name: property is missing and it is not optional"
        return d, None
    m = re.fullmatch(r"dev(\d+)", name)
    if m:
        return v, None
    return v, None


# --------------------------------------------------------------------------
# PVE config file (pct.md §4)

_KEEP = set(range(0x20, 0x25)) | set(range(0x26, 0x3A)) | set(range(0x3B, 0x7F))


def encode_comment(line):
    return "".join(chr(b) if b in _KEEP else "%%%02X" % b for b in line.encode("utf-8"))


def decode_comment(s):
    return re.sub(rb"%([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  s.encode("utf-8")).decode("utf-8", "replace")


def conf_path(vmid):
    return os.path.join(CONF["pve_dir"], "lxc", "%s.conf" % vmid)


def missing_conf(vmid):
    return Die("Configuration file 'nodes/%s/lxc/%s.conf' does not exist" % (NODE, vmid))


def parse_config(text, vmid):
    conf = {"lxc": []}
    desc = None
    section = "main"
    for line in text.splitlines():
        if not line.strip():
            continue
        if re.match(r"^\[pve:pending\]\s*$", line, re.I) or re.match(r"^\[([a-z][a-z0-9_\-]+)\]\s*$", line, re.I):
            section = "other"   # pending / snapshot sections are not modelled
            continue
        if section != "main":
            continue
        if line.startswith("#"):
            desc = (desc or "") + decode_comment(line[1:]) + "\n"
            continue
        m = re.match(r"^(lxc\.[a-z0-9_.\-]+)(?:\s*:\s*|\s*=\s*)(.*)$", line)
        if m:
            conf["lxc"].append((m.group(1), m.group(2).strip()))
            continue
        m = re.match(r"^description:\s*(.*)$", line)
        if m:
            desc = (desc or "") + decode_comment(m.group(1))
            continue
        m = re.match(r"^([a-z][a-z_\-]*\d*):\s*(.*?)\s*$", line)
        if m:
            k, v = m.group(1), m.group(2)
            conf[k] = v
            continue
        err("vm %s - unable to parse config: %s" % (vmid, line))
    if desc is not None:
        conf["description"] = desc
    return conf


def write_config(vmid, conf):
    lines = []
    desc = conf.get("description")
    if desc:
        parts = desc.split("\n")
        while parts and parts[-1] == "":
            parts.pop()
        for p in parts:
            lines.append("#" + encode_comment(p))
    for k in sorted(conf):
        if k in ("lxc", "description", "digest"):
            continue
        v = conf[k]
        if "\n" in str(v):
            raise Die("detected invalid newline inside property '%s'" % k)
        lines.append("%s: %s" % (k, v))
    for k, v in conf.get("lxc", []):
        lines.append("%s: %s" % (k, v))
    path = conf_path(vmid)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, path)


def load_config(vmid, must=True):
    p = conf_path(vmid)
    try:
        with open(p) as f:
            text = f.read()
    except FileNotFoundError:
        if must:
            raise missing_conf(vmid)
        return None
    return parse_config(text, vmid)


class ConfLock:
    def __init__(self, vmid, timeout=10):
        self.vmid, self.timeout = vmid, timeout

    def __enter__(self):
        d = "/run/lock/lxc"
        os.makedirs(d, exist_ok=True)
        self.fd = os.open(os.path.join(d, "pve-config-%s.lock" % self.vmid), os.O_RDWR | os.O_CREAT, 0o644)
        end = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.time() > end:
                    raise Die("can't lock file '/run/lock/lxc/pve-config-%s.lock' - got timeout" % self.vmid)
                time.sleep(0.1)

    def __exit__(self, *a):
        os.close(self.fd)


def all_vmids():
    ids = set()
    d = os.path.join(CONF["pve_dir"], "lxc")
    if os.path.isdir(d):
        for f in os.listdir(d):
            m = re.fullmatch(r"([1-9]\d*)\.conf", f)
            if m:
                ids.add(int(m.group(1)))
    return sorted(ids)


# --------------------------------------------------------------------------
# LXC helpers


def run(argv, **kw):
    return subprocess.run(argv, **kw)


def is_running(vmid):
    sock = "@%s/%s/command" % (LXCPATH.rstrip("/"), vmid)
    try:
        with open("/proc/net/unix") as f:
            for line in f:
                if line.rstrip("\n").endswith(" " + sock):
                    return True
    except OSError:
        pass
    return False


def lxc_pid(vmid):
    r = run(["lxc-info", "-n", str(vmid), "-pH"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def idmap_from_conf(conf):
    """Returns list of (t, ct, host, count) or [] for privileged."""
    raw = [v for k, v in conf.get("lxc", []) if k in ("lxc.idmap", "lxc.id_map")]
    if raw:
        res = []
        for v in raw:
            p = v.split()
            if len(p) != 4 or p[0] not in ("u", "g") or not all(x.isdigit() for x in p[1:]):
                raise Die("failed to parse idmap: %s" % v)
            res.append((p[0], int(p[1]), int(p[2]), int(p[3])))
        return res
    if parse_bool(conf.get("unprivileged", "0")):
        return [("u", 0, 100000, 65536), ("g", 0, 100000, 65536)]
    return []


def map_id(idmap, t, cid):
    if not idmap:
        return cid
    for tt, c, h, n in idmap:
        if tt == t and c <= cid < c + n:
            return h + (cid - c)
    return None


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000


def run_in_userns(idmap, argv, stdin_fd=None, stdout_fd=None, stderr_fd=None, cwd=None):
    """Run argv as root of a new user namespace with the given id map (root writes the maps)."""
    if not idmap:
        p = subprocess.run(argv, stdin=stdin_fd, stdout=stdout_fd, stderr=stderr_fd, cwd=cwd)
        return p.returncode
    r, w = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.close(w2)
            if _libc.unshare(CLONE_NEWUSER) != 0:
                os._exit(120)
            os.write(w, b"x")
            os.close(w)
            os.read(r2, 1)
            os.setresgid(0, 0, 0)
            os.setresuid(0, 0, 0)
            try:
                os.setgroups([])
            except OSError:
                pass
            for fd, tgt in ((stdin_fd, 0), (stdout_fd, 1), (stderr_fd, 2)):
                if fd is not None:
                    os.dup2(fd, tgt)
            if cwd:
                os.chdir(cwd)
            os.execvp(argv[0], argv)
        except BaseException:
            os._exit(127)
    os.close(w)
    os.close(r2)
    os.read(r, 1)
    um = "".join("%d %d %d\n" % (c, h, n) for t, c, h, n in idmap if t == "u")
    gm = "".join("%d %d %d\n" % (c, h, n) for t, c, h, n in idmap if t == "g")
    try:
        with open("/proc/%d/uid_map" % pid, "w") as f:
            f.write(um)
        with open("/proc/%d/gid_map" % pid, "w") as f:
            f.write(gm)
    finally:
        os.write(w2, b"x")
        os.close(w2)
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st)


def volume_dir(volid):
    """'<storage>:vm-<id>-disk-0' -> directory holding the rootfs."""
    storage, name = volid.split(":", 1)
    return os.path.join(CONF["images_dir"], storage, name)


def template_path(volid):
    m = re.fullmatch(r"([a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]):(.+)", volid)
    if volid.startswith("/"):
        return volid
    if not m:
        raise Die("unable to parse volume ID '%s'" % volid)
    storage, rest = m.group(1), m.group(2)
    if not rest.startswith("vztmpl/"):
        raise Die("unable to use volume %s - content type needs to be 'vztmpl'" % volid)
    if storage not in CONF["template_storages"]:
        raise Die("storage '%s' does not exist" % storage)
    return os.path.join(CONF["templates_dir"], storage, rest[len("vztmpl/"):])


def mounts_below(path):
    path = os.path.realpath(path).rstrip("/") + "/"
    res = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if (mp.rstrip("/") + "/").startswith(path):
                res.append(mp)
    return res


def safe_rmtree(path):
    """Remove a container-owned tree without ever descending into a mount."""
    if not os.path.lexists(path):
        return
    m = mounts_below(path)
    if m:
        raise Die("refusing to remove '%s': mounted file systems below it (%s)" % (path, ", ".join(m)))
    subprocess.run(["rm", "-rf", "--one-file-system", "--", path], check=False)


def ct_write_file(rootfs, rel, content, idmap, mode=0o644):
    """Write a file inside the CT rootfs (not following symlinks out of it)."""
    rel = rel.lstrip("/")
    parent = os.path.join(rootfs, os.path.dirname(rel))
    real_parent = os.path.realpath(parent)
    if not (real_parent + "/").startswith(os.path.realpath(rootfs) + "/") or not os.path.isdir(real_parent):
        return False
    target = os.path.join(real_parent, os.path.basename(rel))
    if os.path.islink(target):
        return False
    tmp = target + ".standin-tmp"
    with open(tmp, "w") as f:
        f.write(content)
    uid, gid = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
    os.chown(tmp, uid if uid is not None else 65534, gid if gid is not None else 65534)
    os.chmod(tmp, mode)
    os.rename(tmp, target)
    return True


# --------------------------------------------------------------------------
# networking


def ensure_bridge():
    br = CONF["bridge"]
    iface = ipaddress.IPv4Interface(CONF["bridge_cidr"])
    if run(["ip", "link", "show", "dev", br], capture_output=True).returncode != 0:
        run(["ip", "link", "add", br, "type", "bridge"], capture_output=True)
    r = run(["ip", "-4", "-o", "addr", "show", "dev", br], capture_output=True, text=True)
    if str(iface) not in r.stdout:
        run(["ip", "addr", "add", str(iface), "dev", br], capture_output=True)
    run(["ip", "link", "set", br, "up"], capture_output=True)
    if CONF.get("nat"):
        try:
            with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
                f.write("1\n")
        except OSError:
            pass
        net = str(iface.network)
        if shutil.which("nft"):
            r = run(["nft", "list", "table", "ip", "git_lxc_standin"], capture_output=True)
            if r.returncode != 0:
                rules = ("table ip git_lxc_standin {\n"
                         " chain postrouting { type nat hook postrouting priority 100; policy accept;\n"
                         "  ip saddr %s ip daddr != %s masquerade\n }\n}\n") % (net, net)
                run(["nft", "-f", "-"], input=rules.encode(), capture_output=True)
        elif shutil.which("iptables"):
            # lxc depends on "nftables | iptables": a host may have only the latter
            rule = ["POSTROUTING", "-s", net, "!", "-d", net, "-j", "MASQUERADE"]
            if run(["iptables", "-t", "nat", "-C"] + rule, capture_output=True).returncode != 0:
                run(["iptables", "-t", "nat", "-A"] + rule, capture_output=True)
        else:
            err("warning: neither nft nor iptables found; containers get no NAT to the outside")
    return br, iface


def dhcp_address(vmid, iface):
    """Deterministic 'DHCP lease' for a vmid inside the bridge subnet."""
    net = iface.network
    size = net.num_addresses - 3
    gw = iface.ip
    n = 2 + (int(vmid) % size)
    ip = net.network_address + n
    if ip == gw:
        ip = net.network_address + 2 + ((n + 1) % size)
    return "%s/%d" % (ip, net.prefixlen), str(gw)


# --------------------------------------------------------------------------
# config generation


def check_mount_path(path):
    canon = os.path.normpath(path)
    real = os.path.realpath(canon)
    if canon != real:
        raise Die("mount path modified by symlink: %s != %s" % (canon, real))


def gen_lxc_config(vmid, conf):
    idmap = idmap_from_conf(conf)
    rootfs_vol = parse_propstring(conf["rootfs"], ROOTFS_KEYS, "volume")
    rootfs = volume_dir(rootfs_vol["volume"]) if not rootfs_vol["volume"].startswith("/") else rootfs_vol["volume"]
    if not os.path.isdir(rootfs):
        raise Die("rootfs '%s' does not exist" % rootfs)
    unpriv = bool(idmap)
    L = ["# generated by the git-lxc pct stand-in from %s at start; do not edit" % conf_path(vmid),
         "lxc.include = /usr/share/lxc/config/common.conf"]
    if unpriv:
        L.append("lxc.include = /usr/share/lxc/config/userns.conf")
    arch = conf.get("arch", "amd64")
    L.append("lxc.arch = %s" % {"amd64": "x86_64", "i386": "i686", "arm64": "aarch64", "armhf": "armv7l"}.get(arch, arch))
    L.append("lxc.uts.name = %s" % conf.get("hostname", "CT%s" % vmid))
    L.append("lxc.rootfs.path = dir:%s" % rootfs)
    if parse_bool(rootfs_vol.get("ro", "0")):
        L.append("lxc.rootfs.options = ro")
    L.append("lxc.tty.max = %s" % conf.get("tty", "2"))
    L.append("lxc.log.file = %s/%s/lxc.log" % (LXCPATH, vmid))
    L.append("lxc.log.level = WARN")
    if os.path.exists("/sys/kernel/security/apparmor"):
        L.append("lxc.apparmor.profile = unconfined")
    for t, c, h, n in idmap:
        L.append("lxc.idmap = %s %d %d %d" % (t, c, h, n))
    # memory limit (cgroup v1 on this host type, v2 elsewhere) is best effort
    # network
    net_info = []
    nets = sorted((int(k[3:]), k) for k in conf if re.fullmatch(r"net\d+", k))
    if CONF["network"] == "bridge" and nets:
        br, iface = ensure_bridge()
        for idx, (n, key) in enumerate(nets):
            d = parse_propstring(conf[key], NET_KEYS)
            p = "lxc.net.%d" % idx
            L += ["%s.type = veth" % p, "%s.link = %s" % (p, br), "%s.name = %s" % (p, d.get("name", "eth%d" % n)),
                  "%s.veth.pair = veth%si%d" % (p, vmid, n)]
            if not parse_bool(d.get("link_down", "0")):
                L.append("%s.flags = up" % p)
            if d.get("hwaddr"):
                L.append("%s.hwaddr = %s" % (p, d["hwaddr"]))
            if d.get("mtu"):
                L.append("%s.mtu = %s" % (p, d["mtu"]))
            ip = d.get("ip")
            if ip == "dhcp":
                addr, gw = dhcp_address(vmid, iface)
                bc = ipaddress.IPv4Interface(addr).network.broadcast_address
                L += ["%s.ipv4.address = %s %s" % (p, addr, bc), "%s.ipv4.gateway = %s" % (p, gw)]
            elif ip and ip != "manual":
                bc = ipaddress.IPv4Interface(ip).network.broadcast_address
                L.append("%s.ipv4.address = %s %s" % (p, ip, bc))
                if d.get("gw"):
                    L.append("%s.ipv4.gateway = %s" % (p, d["gw"]))
            ip6 = d.get("ip6")
            if ip6 and ip6 not in ("auto", "dhcp", "manual"):
                L.append("%s.ipv6.address = %s" % (p, ip6))
                if d.get("gw6"):
                    L.append("%s.ipv6.gateway = %s" % (p, d["gw6"]))
            net_info.append(d)
    else:
        L.append("lxc.net.0.type = empty")
    # mount points, sorted by path inside the CT (like PVE)
    mps = []
    for k in conf:
        if re.fullmatch(r"mp\d+", k):
            d = parse_propstring(conf[k], MP_KEYS, "volume")
            mps.append((d["mp"], k, d))
    for mpath, k, d in sorted(mps, key=lambda x: (x[0].rstrip("/").count("/"), x[0])):
        vol = d["volume"]
        if not vol.startswith("/") or vol.startswith("/dev/"):
            raise Die("mount point %s: only bind mounts of host directories are supported by the stand-in" % k)
        if not os.path.isdir(vol):
            raise Die("directory '%s' does not exist" % vol)
        check_mount_path(vol)
        opts = ["bind", "create=dir"]
        if parse_bool(d.get("ro", "0")):
            opts.append("ro")
        for mo in (d.get("mountoptions") or "").split(";"):
            if mo:
                opts.append(mo)
        L.append("lxc.mount.entry = %s %s none %s 0 0" % (vol, mpath.lstrip("/"), ",".join(opts)))
    for k, v in conf.get("lxc", []):
        if k in ("lxc.idmap", "lxc.id_map"):
            continue
        if k in ("lxc.rootfs.path",):
            continue
        L.append("%s = %s" % (k, v))
    return "\n".join(L) + "\n", rootfs, idmap, net_info


def setup_ct_files(vmid, conf, rootfs, idmap):
    """What PVE's LXC::Setup does at start: hostname, hosts, resolv.conf."""
    host = conf.get("hostname", "CT%s" % vmid)
    ct_write_file(rootfs, "etc/hostname", host + "\n", idmap)
    short = host.split(".")[0]
    hosts = "127.0.0.1 localhost\n127.0.1.1 %s%s\n::1 localhost ip6-localhost ip6-loopback\n" % (
        host + " " if host != short else "", short)
    ct_write_file(rootfs, "etc/hosts", hosts, idmap)
    # like PVE::LXC::Setup::Base::lookup_dns_conf: each of nameserver and
    # searchdomain not set on the CT comes from the host's resolv.conf
    ns = conf.get("nameserver")
    sd = conf.get("searchdomain")
    host_ns, host_sd = [], None
    try:
        with open("/etc/resolv.conf") as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] == "nameserver" and len(host_ns) < 3:
                    host_ns.append(w[1])
                elif len(w) >= 2 and w[0] in ("search", "domain"):
                    host_sd = " ".join(w[1:])
    except OSError:
        pass
    if ns is None:
        ns = " ".join(host_ns)
    if sd is None:
        sd = host_sd
    text = ""
    if sd:
        text += "search %s\n" % sd
    for x in ns.split():
        text += "nameserver %s\n" % x
    if text:
        ct_write_file(rootfs, "etc/resolv.conf", text, idmap)


def ensure_subids():
    """A Proxmox host ships `root:100000:65536` in /etc/subuid and /etc/subgid.
    LXC maps ids through newuidmap/newgidmap whenever they are installed, and
    those check these files, so provide the same default entry."""
    for f in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(f) as fh:
                lines = fh.read().splitlines()
        except FileNotFoundError:
            lines = []
        if any(re.fullmatch(r"root:100000:(\d+)", l.strip()) and int(l.strip().split(":")[2]) >= 65536
               for l in lines):
            continue
        with open(f, "a") as fh:
            fh.write("root:100000:65536\n")


def bind_access_hints(conf, idmap):
    """Explain the usual reason an unprivileged start fails on a bind mount:
    LXC mounts lxc.mount.entry sources as the container's mapped root, which
    needs search permission on every directory leading to the source."""
    if not idmap:
        return []
    ru, rg = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
    hints = []
    for k in sorted(conf):
        if not re.fullmatch(r"mp\d+", k):
            continue
        vol = parse_propstring(conf[k], MP_KEYS, "volume").get("volume", "")
        if not vol.startswith("/"):
            continue
        cur = "/"
        for part in [x for x in vol.split("/") if x]:
            try:
                st = os.stat(cur)
            except OSError:
                break
            m = st.st_mode
            if not (m & 0o001 or (st.st_uid == ru and m & 0o100) or (st.st_gid == rg and m & 0o010)):
                hints.append("%s: bind source '%s' is not reachable by the container's root (host uid %s): "
                             "'%s' has mode %04o owner %d:%d (needs o+x)" % (k, vol, ru, cur, m & 0o7777,
                                                                           st.st_uid, st.st_gid))
                break
            cur = os.path.join(cur, part)
    return hints


def do_start(vmid, conf):
    text, rootfs, idmap, _ = gen_lxc_config(vmid, conf)
    if idmap:
        ensure_subids()
    d = os.path.join(LXCPATH, str(vmid))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config"), "w") as f:
        f.write(text)
    setup_ct_files(vmid, conf, rootfs, idmap)
    logf = os.path.join(d, "lxc.log")
    try:
        os.unlink(logf)
    except FileNotFoundError:
        pass
    r = run(["lxc-start", "-n", str(vmid)], capture_output=True, text=True)
    ok = r.returncode == 0 and run(["lxc-wait", "-n", str(vmid), "-s", "RUNNING", "-t",
                                     str(CONF["start_timeout"])], capture_output=True).returncode == 0
    if not ok:
        detail = []
        try:
            with open(logf) as f:
                detail = [l for l in f.read().splitlines() if " ERROR " in l][-12:]
        except OSError:
            pass
        if not detail:
            detail = (r.stderr or "").strip().splitlines()
        for l in detail + bind_access_hints(conf, idmap):
            err(l)
        raise Die("startup for container '%s' failed" % vmid)


def do_stop(vmid, kill=True, timeout=None):
    argv = ["lxc-stop", "-n", str(vmid)]
    if kill:
        argv.append("--kill")
    elif timeout is not None:
        argv += ["--nokill", "--timeout", str(timeout)]
    r = run(argv, capture_output=True, text=True)
    return r.returncode == 0 or not is_running(vmid)


# --------------------------------------------------------------------------
# pct


BOOL_CONF = ("onboot", "unprivileged", "protection", "console", "debug", "template")
CONF_OPTS = ["arch", "cmode", "console", "cores", "cpulimit", "cpuunits", "debug", "description",
             "entrypoint", "features", "hookscript", "hostname", "lock", "memory", "nameserver",
             "onboot", "ostype", "protection", "rootfs", "searchdomain", "startup", "swap", "tags",
             "template", "timezone", "tty", "unprivileged"]
CONF_OPTS += ["mp%d" % i for i in range(256)] + ["net%d" % i for i in range(32)] + \
    ["dev%d" % i for i in range(256)] + ["unused%d" % i for i in range(256)]
CREATE_ONLY = {"storage": "value", "password": "value", "ssh-public-keys": "value", "start": "bool",
               "unique": "bool", "restore": "bool", "force": "bool", "pool": "value",
               "ignore-unpack-errors": "bool", "bwlimit": "value", "ha-managed": "bool"}
LIST_OPTS = ("nameserver", "searchdomain", "tags", "delete", "revert")


def conf_spec():
    return {k: ("bool" if k in BOOL_CONF else "value") for k in CONF_OPTS}


PCT_CMDS = {
    # name: (positionals, option spec, usage)
    "list": ([], {}, "pct list"),
    "config": (["vmid"], {"current": "bool", "snapshot": "value"}, "pct config <vmid> [OPTIONS]"),
    "status": (["vmid"], {"verbose": "bool"}, "pct status <vmid> [OPTIONS]"),
    "create": (["vmid", "ostemplate"], None, "pct create <vmid> <ostemplate> [OPTIONS]"),
    "set": (["vmid"], None, "pct set <vmid> [OPTIONS]"),
    "start": (["vmid"], {"skiplock": "bool", "debug": "bool"}, "pct start <vmid> [OPTIONS]"),
    "stop": (["vmid"], {"skiplock": "bool", "overrule-shutdown": "bool"}, "pct stop <vmid> [OPTIONS]"),
    "shutdown": (["vmid"], {"timeout": "value", "forcestop": "bool"}, "pct shutdown <vmid> [OPTIONS]"),
    "reboot": (["vmid"], {"timeout": "value"}, "pct reboot <vmid> [OPTIONS]"),
    "destroy": (["vmid"], {"force": "bool", "purge": "bool", "destroy-unreferenced-disks": "bool"},
                "pct destroy <vmid> [OPTIONS]"),
    "exec": (["vmid", "extra-args"], {"keep-env": "bool"}, "pct exec <vmid> [<extra-args>] [OPTIONS]"),
    "enter": (["vmid"], {"keep-env": "bool"}, "pct enter <vmid> [OPTIONS]"),
    "unlock": (["vmid"], {}, "pct unlock <vmid>"),
    "help": (["extra-args"], {"verbose": "bool"}, "pct help [<extra-args>] [OPTIONS]"),
}


def check_vmid(v):
    if not re.fullmatch(r"[+-]?\d+", v):
        return "type check ('integer') failed - got '%s'" % v
    if not re.fullmatch(r"[1-9][0-9]{2,8}", v):
        return "invalid format - value does not look like a valid VM ID"
    return None


def resolve_cmd(tool, name, cmds):
    if name in cmds:
        return name
    c = [k for k in cmds if k.startswith(name)]
    if len(c) == 1:
        return c[0]
    return None


def pct_usage_short():
    err("ERROR: unknown command 'pct %s'" % (sys.argv[1] if len(sys.argv) > 1 else ""))
    err("USAGE: pct <COMMAND> [ARGS] [OPTIONS]")
    for k in sorted(PCT_CMDS):
        err("       %s" % PCT_CMDS[k][2])


def main_pct(argv):
    if not argv:
        err("ERROR: no command specified")
        err("USAGE: pct <COMMAND> [ARGS] [OPTIONS]")
        return 255
    cmd = resolve_cmd("pct", argv[0], PCT_CMDS)
    if cmd is None:
        pct_usage_short()
        return 255
    if os.geteuid() != 0:
        err("please run as root")
        return 255
    positional, spec, usage = PCT_CMDS[cmd]
    if cmd == "create":
        spec = dict(conf_spec())
        spec.update(CREATE_ONLY)
        spec.pop("lock", None)
        spec = {k: v for k, v in spec.items() if not k.startswith("unused")}
    elif cmd == "set":
        spec = dict(conf_spec())
        spec.update({"delete": "value", "revert": "value", "digest": "value"})
    try:
        opts, pos = getopt(argv[1:], spec, LIST_OPTS)
        extra = "extra-args" in positional
        fixed = [p for p in positional if p != "extra-args"]
        if len(pos) < len(fixed):
            raise UsageError(["400 not enough arguments"])
        if len(pos) > len(fixed) and not extra:
            raise UsageError(["400 too many arguments"])
        args = dict(zip(fixed, pos))
        rest = pos[len(fixed):]
        errors = []
        if "vmid" in args:
            e = check_vmid(args["vmid"])
            if e:
                errors.append(("vmid", e))
        if cmd in ("create", "set"):
            for k, v in list(opts.items()):
                if k in CREATE_ONLY or k in ("delete", "revert", "digest"):
                    continue
                nv, e = check_option(k, str(v))
                if e:
                    errors.append((k, e))
                else:
                    opts[k] = nv
            if cmd == "create" and len(args.get("ostemplate", "")) > 255:
                errors.append(("ostemplate", "value may only be 255 characters long"))
            if "password" in opts and len(opts["password"]) < 5:
                errors.append(("password", "value must be at least 5 characters long"))
        if cmd in ("shutdown", "reboot") and "timeout" in opts:
            n, e = chk_int(opts["timeout"], 0)
            if e:
                errors.append(("timeout", e))
            else:
                opts["timeout"] = n
        if errors:
            raise ParamError(errors)
    except UsageError as e:
        for l in e.lines:
            err(l)
        err(usage)
        return 255
    except ParamError as e:
        err("400 Parameter verification failed.")
        for p, m in e.errors:
            err("%s: %s" % (p, m))
        err(usage)
        return 255
    fn = globals()["pct_" + cmd]
    try:
        r = fn(args, opts, rest)
        return r or 0
    except ParamError as e:
        err("400 Parameter verification failed.")
        for p, m in e.errors:
            err("%s: %s" % (p, m))
        err(usage)
        return 255
    except Die as e:
        err(e.msg)
        return e.code


def ct_name(vmid, conf):
    h = conf.get("hostname")
    return re.sub(r"\s", "", h) if h else "CT%s" % vmid


def pct_list(args, opts, rest):
    ids = all_vmids()
    if not ids:
        return 0
    out("%-10s %-10s %-12s %-20s" % ("VMID", "Status", "Lock", "Name"))
    for i in ids:
        c = load_config(i, must=False)
        if c is None:
            continue
        out("%-10s %-10s %-12s %-20s" % (i, "running" if is_running(i) else "stopped", c.get("lock", ""), ct_name(i, c)))
    return 0


def pct_config(args, opts, rest):
    vmid = args["vmid"]
    if opts.get("current") and "snapshot" in opts:
        raise ParamError([("snapshot", "cannot use 'snapshot' parameter with 'current'"),
                          ("current", "cannot use 'snapshot' parameter with 'current'")])
    if "snapshot" in opts:
        load_config(vmid)
        raise Die("snapshot '%s' does not exist" % opts["snapshot"])
    c = load_config(vmid)
    for k in sorted(c):
        if k in ("lxc", "digest"):
            continue
        v = c[k]
        if k == "description":
            v = encode_comment(v)
        out("%s: %s" % (k, v))
    for k, v in c.get("lxc", []):
        out("%s: %s" % (k, v))
    return 0


def pct_status(args, opts, rest):
    vmid = args["vmid"]
    c = load_config(vmid)
    running = is_running(vmid)
    if not opts.get("verbose"):
        out("status: %s" % ("running" if running else "stopped"))
        return 0
    mem = int(c.get("memory", 512))
    fields = {
        "cpus": c.get("cores", os.cpu_count()), "disk": 0, "diskread": 0, "diskwrite": 0,
        "maxdisk": 4 * 1024 ** 3, "maxmem": mem * 1048576, "maxswap": int(c.get("swap", 512)) * 1048576,
        "mem": 0, "name": ct_name(vmid, c), "netin": 0, "netout": 0,
        "status": "running" if running else "stopped", "swap": 0, "type": "lxc", "uptime": 0, "vmid": vmid,
    }
    if running:
        fields["pid"] = lxc_pid(vmid)
    for k in ("lock", "tags"):
        if k in c:
            fields[k] = c[k]
    if parse_bool(c.get("template", "0")):
        fields["template"] = 1
    for k in sorted(fields):
        out("%s: %s" % (k, fields[k]))
    return 0


def gen_hwaddr():
    return "BC:24:11:%02X:%02X:%02X" % tuple(random.randrange(256) for _ in range(3))


def fmt_size(nbytes):
    for unit, mul in (("T", 1024 ** 4), ("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024)):
        if nbytes % mul == 0:
            return "%d%s" % (nbytes // mul, unit)
    return str(nbytes)


def pct_create(args, opts, rest):
    vmid = args["vmid"]
    ostemplate = args["ostemplate"]
    if os.path.exists(conf_path(vmid)) or os.path.exists(os.path.join(LXCPATH, vmid)):
        raise Die("CT %s already exists on node '%s'" % (vmid, NODE))
    if parse_bool(opts.get("restore", 0)) or ostemplate == "-":
        raise Die("restore is not supported by the pct stand-in")
    tpl = template_path(ostemplate)
    if not os.path.isfile(tpl):
        raise Die("volume '%s' does not exist" % ostemplate)
    storage = opts.get("storage", "local")
    mps = [k for k in opts if re.fullmatch(r"mp\d+", k)]
    if "rootfs" not in opts:
        opts["rootfs"] = {"volume": "%s:4" % storage}
    ssh_keys = None
    if "ssh-public-keys" in opts:
        try:
            with open(opts["ssh-public-keys"]) as f:
                ssh_keys = f.read()
        except OSError as e:
            raise Die("unable to read file '%s' - %s" % (opts["ssh-public-keys"], e.strerror))
    for k in mps:
        d = opts[k]
        if not d["volume"].startswith("/"):
            raise Die("mount point %s: the stand-in only supports bind mounts (absolute host paths)" % k)
    conf = {"lxc": []}
    rf = dict(opts["rootfs"])
    vol = rf["volume"]
    m = re.fullmatch(r"([a-zA-Z][\w\-.]*):(\d+(\.\d+)?)", vol)
    if m:
        size = int(float(m.group(2)) * 1024) * 1024 * 1024
        rf["volume"] = "%s:vm-%s-disk-0" % (m.group(1), vmid)
        rf["size"] = fmt_size(size)
    elif re.fullmatch(r"\d+(\.\d+)?", vol):
        rf["volume"] = "%s:vm-%s-disk-0" % (storage, vmid)
        rf["size"] = fmt_size(int(float(vol) * 1024) * 1024 * 1024)
    elif vol.startswith("/"):
        raise Die("the stand-in does not support a host directory as rootfs")
    conf["rootfs"] = fmt_prop(rf, default_key="volume")
    for k, v in opts.items():
        if k in CREATE_ONLY or k == "rootfs":
            continue
        if re.fullmatch(r"mp\d+", k):
            conf[k] = fmt_prop(v, default_key="volume")
        elif re.fullmatch(r"net\d+", k):
            d = dict(v)
            d.setdefault("hwaddr", gen_hwaddr())
            d["type"] = "veth"
            conf[k] = fmt_prop(d, first="name")
        else:
            conf[k] = v
    conf.setdefault("unprivileged", 1)
    conf.setdefault("arch", "amd64")
    conf["lock"] = "create"
    with ConfLock(vmid, 5):
        if os.path.exists(conf_path(vmid)):
            raise Die("unable to create CT %s - CT %s already exists on node '%s'" % (vmid, vmid, NODE))
        write_config(vmid, conf)
    # ---- task part
    rootdir = volume_dir(rf["volume"])
    try:
        idmap = idmap_from_conf(conf)
        if os.path.exists(rootdir):
            safe_rmtree(rootdir)
        os.makedirs(rootdir, mode=0o755)
        uid, gid = map_id(idmap, "u", 0), map_id(idmap, "g", 0)
        os.chown(rootdir, uid, gid)
        out("extracting archive '%s'" % tpl)
        comp = {".gz": "-z", ".tgz": "-z", ".xz": "-J", ".zst": "--zstd", ".bz2": "-j"}
        flag = next((f for ext, f in comp.items() if tpl.endswith(ext)), None)
        tar = ["tar", "-xp", "--numeric-owner", "--totals", "--sparse", "--exclude=./dev/*", "-C", rootdir, "-f", "-"]
        if flag:
            tar.insert(1, flag)
        fd = os.open(tpl, os.O_RDONLY)
        sys.stdout.flush()
        try:
            rc = run_in_userns(idmap, tar, stdin_fd=fd, stderr_fd=1)
        finally:
            os.close(fd)
        if rc != 0:
            if not parse_bool(opts.get("ignore-unpack-errors", 0)):
                raise Die("command '%s' failed: exit code %d" % (" ".join(tar), rc))
        arch = "amd64"
        out("Detected container architecture: %s" % arch)
        conf["arch"] = conf.get("arch", arch)
        if "ostype" not in conf:
            ost = "unmanaged"
            try:
                with open(os.path.join(rootdir, "etc/os-release")) as f:
                    mm = re.search(r"^ID=\"?([a-z]+)", f.read(), re.M)
                    if mm and mm.group(1) in OSTYPES:
                        ost = mm.group(1)
            except OSError:
                pass
            conf["ostype"] = ost
        conf.setdefault("hostname", "CT%s" % vmid)
        conf.setdefault("memory", 512)
        conf.setdefault("swap", 512)
        if ssh_keys:
            sshdir = os.path.join(rootdir, "root/.ssh")
            if not os.path.islink(sshdir) and not os.path.islink(os.path.join(rootdir, "root")):
                os.makedirs(sshdir, exist_ok=True)
                os.chown(sshdir, uid, gid)
                os.chmod(sshdir, 0o700)
                ct_write_file(rootdir, "root/.ssh/authorized_keys", ssh_keys, idmap, 0o600)
        if "password" in opts:
            out("WARN: the stand-in does not set root passwords")
        # setup like LXC::Setup post-create
        setup_ct_files(vmid, conf, rootdir, idmap)
        del conf["lock"]
        write_config(vmid, conf)
    except BaseException as e:
        msg = e.msg if isinstance(e, Die) else str(e)
        try:
            safe_rmtree(rootdir)
        except Die:
            pass
        try:
            os.unlink(conf_path(vmid))
        except OSError:
            pass
        raise Die("unable to create CT %s - %s" % (vmid, msg.replace("\n", " ")))
    if parse_bool(opts.get("start", 0)):
        try:
            do_start(vmid, conf)
        except Die as e:
            err(e.msg)
    return 0


def pct_set(args, opts, rest):
    vmid = args["vmid"]
    if not opts:
        raise Die("no options specified")
    with ConfLock(vmid):
        c = load_config(vmid)
        if "digest" in opts:
            with open(conf_path(vmid), "rb") as f:
                if hashlib.sha1(f.read()).hexdigest() != opts["digest"]:
                    raise Die("detected modified configuration - file changed by other user? Try again.")
        if "lock" in c and "lock" not in opts:
            raise Die("CT is locked (%s)" % c["lock"])
        dels = [x for x in re.split(r"[,;\s]+", opts.get("delete", "") + "," + opts.get("revert", "")) if x]
        errors = []
        for k in dels:
            if k not in CONF_OPTS:
                errors.append(("delete", "unknown option '%s'" % k))
            elif k in opts:
                errors.append(("delete", "you can't use '-%s' and -delete %s' at the same time" % (k, k)))
        if errors:
            raise ParamError(errors)
        if "unprivileged" in opts:
            raise Die("unable to modify read-only option: 'unprivileged'")
        for k in dels:
            if k == "unprivileged":
                raise Die("unable to delete read-only option: 'unprivileged'")
            if k in ("memory", "rootfs", "ostype"):
                raise Die("unable to delete required option '%s'" % k)
        for k, v in opts.items():
            if k in ("delete", "revert", "digest"):
                continue
            if re.fullmatch(r"mp\d+|rootfs", k):
                c[k] = fmt_prop(v, default_key="volume")
            elif re.fullmatch(r"net\d+", k):
                d = dict(v)
                d.setdefault("hwaddr", gen_hwaddr())
                d["type"] = "veth"
                c[k] = fmt_prop(d, first="name")
            else:
                c[k] = v
        for k in dels:
            if k in c:
                del c[k]
            else:
                err("cannot delete '%s' - not set in current configuration!" % k)
        write_config(vmid, c)
    return 0


def pct_start(args, opts, rest):
    vmid = args["vmid"]
    if is_running(vmid):
        raise Die("CT %s already running" % vmid)
    c = load_config(vmid)
    if parse_bool(c.get("template", "0")):
        raise Die("you can't start a CT if it's a template")
    if "lock" in c and c["lock"] != "mounted" and not opts.get("skiplock"):
        raise Die("CT is locked (%s)" % c["lock"])
    do_start(vmid, c)
    return 0


def _lock_check(vmid, opts=None):
    c = load_config(vmid)
    if "lock" in c and c["lock"] != "mounted" and not (opts or {}).get("skiplock"):
        raise Die("CT is locked (%s)" % c["lock"])
    return c


def pct_stop(args, opts, rest):
    vmid = args["vmid"]
    if not is_running(vmid):
        raise Die("CT %s not running" % vmid)
    _lock_check(vmid, opts)
    if not do_stop(vmid, kill=True):
        raise Die("unable to stop CT %s" % vmid)
    return 0


def pct_shutdown(args, opts, rest):
    vmid = args["vmid"]
    if not is_running(vmid):
        raise Die("CT %s not running" % vmid)
    c = load_config(vmid)
    if "lock" in c:
        raise Die("CT is locked (%s)" % c["lock"])
    timeout = opts.get("timeout", 60)
    if opts.get("forcestop"):
        r = run(["lxc-stop", "-n", vmid, "--timeout", str(timeout)], capture_output=True)
        ok = r.returncode == 0 or not is_running(vmid)
    else:
        ok = do_stop(vmid, kill=False, timeout=timeout)
    if not ok:
        raise Die("container did not stop")
    return 0


def pct_reboot(args, opts, rest):
    vmid = args["vmid"]
    if not is_running(vmid):
        raise Die("VM %s not running" % vmid)
    c = load_config(vmid)
    argv = ["lxc-stop", "-n", vmid, "--timeout", str(opts.get("timeout", 60))]
    run(argv, capture_output=True)
    if is_running(vmid):
        run(["lxc-stop", "-n", vmid, "--kill"], capture_output=True)
    do_start(vmid, load_config(vmid))
    return 0


def pct_destroy(args, opts, rest):
    vmid = args["vmid"]
    with ConfLock(vmid):
        c = load_config(vmid)
        if parse_bool(c.get("protection", "0")):
            raise Die("can't remove CT %s - protection mode enabled" % vmid)
        if "lock" in c:
            raise Die("CT is locked (%s)" % c["lock"])
        if is_running(vmid):
            if not opts.get("force"):
                raise Die("unable to destroy CT %s - container is running" % vmid)
            out("forced to stop CT %s before destroying!" % vmid)
            do_stop(vmid, kill=True)
        c["lock"] = "destroyed"
        write_config(vmid, c)
        try:
            rf = parse_propstring(c.get("rootfs", ""), ROOTFS_KEYS, "volume")
            vol = rf.get("volume", "")
            if vol and not vol.startswith("/"):
                safe_rmtree(volume_dir(vol))
            for k in list(c):
                if re.fullmatch(r"mp\d+|unused\d+", k):
                    d = parse_propstring(c[k], MP_KEYS, "volume")
                    # bind mounts (absolute host paths) are never touched
                    if not d.get("volume", "/").startswith("/"):
                        safe_rmtree(volume_dir(d["volume"]))
            safe_rmtree(os.path.join(LXCPATH, vmid))
        except Die as e:
            raise Die("error during destroy of CT %s - %s" % (vmid, e.msg))
        if opts.get("purge"):
            out("purging CT %s from related configurations.." % vmid)
        os.unlink(conf_path(vmid))
    return 0


def _attach_argv(vmid, keep_env):
    argv = ["lxc-attach", "-n", vmid]
    if keep_env:
        argv.append("--keep-env")
    else:
        argv += ["--clear-env", "--set-var", "PATH=" + SAFE_PATH]
    return argv


def pct_exec(args, opts, rest):
    vmid = args["vmid"]
    load_config(vmid)
    if not is_running(vmid):
        raise Die("container '%s' not running!" % vmid)
    if not rest:
        raise Die("missing command at /usr/share/perl5/PVE/CLI/pct.pm line 150.")
    keep = opts.get("keep-env", 1)
    env = dict(os.environ)
    env.pop("SSL_CERT_FILE", None)
    env.pop("SSL_CERT_DIR", None)
    # undo Python's PEP 538 locale coercion so --keep-env passes the caller's env as-is
    if env.get("LC_CTYPE") == "C.UTF-8" and env.get("LANG", "C") in ("C", "POSIX") and "LC_ALL" not in env:
        env.pop("LC_CTYPE")
    env.setdefault("PATH", SAFE_PATH)
    sys.stdout.flush()
    os.execvpe("lxc-attach", _attach_argv(vmid, keep) + ["--"] + rest, env)


def pct_enter(args, opts, rest):
    vmid = args["vmid"]
    load_config(vmid)
    if not is_running(vmid):
        raise Die("container '%s' not running!" % vmid)
    keep = opts.get("keep-env", 1)
    env = dict(os.environ)
    env.setdefault("PATH", SAFE_PATH)
    os.execvpe("lxc-attach", _attach_argv(vmid, keep), env)


def pct_unlock(args, opts, rest):
    vmid = args["vmid"]
    with ConfLock(vmid):
        c = load_config(vmid)
        if "lock" not in c:
            raise Die("no lock found trying to remove any lock")
        del c["lock"]
        write_config(vmid, c)
    return 0


def pct_help(args, opts, rest):
    out("USAGE: pct <COMMAND> [ARGS] [OPTIONS]")
    for k in sorted(PCT_CMDS):
        out("       %s" % PCT_CMDS[k][2])
    out("\n(git-lxc LXC-backed stand-in; see %s/README.md)" % HERE)
    return 0


# --------------------------------------------------------------------------
# pveam


def list_templates(storage):
    d = os.path.join(CONF["templates_dir"], storage)
    res = []
    if os.path.isdir(d):
        for f in os.listdir(d):
            if re.search(r"\.tar(\.(gz|xz|zst|bz2))?$", f) and os.path.isfile(os.path.join(d, f)):
                res.append((f, os.path.getsize(os.path.join(d, f))))
    return res


def main_pveam(argv):
    cmds = {"update": ([], {}, "pveam update"),
            "list": (["storage"], {"content": "value"}, "pveam list <storage> [OPTIONS]"),
            "available": ([], {"section": "value"}, "pveam available [OPTIONS]"),
            "download": (["storage", "template"], {}, "pveam download <storage> <template>"),
            "remove": (["template_path"], {}, "pveam remove <template_path>"),
            "help": ([], {}, "pveam help")}
    if not argv:
        err("ERROR: no command specified")
        return 255
    cmd = resolve_cmd("pveam", argv[0], cmds)
    if cmd is None:
        err("ERROR: unknown command 'pveam %s'" % argv[0])
        err("USAGE: pveam <COMMAND> [ARGS] [OPTIONS]")
        for k in sorted(cmds):
            err("       %s" % cmds[k][2])
        return 255
    if os.geteuid() != 0:
        err("please run as root")
        return 255
    positional, spec, usage = cmds[cmd]
    try:
        opts, pos = getopt(argv[1:], spec)
        if len(pos) < len(positional):
            raise UsageError(["400 not enough arguments"])
        if len(pos) > len(positional):
            raise UsageError(["400 too many arguments"])
    except UsageError as e:
        for l in e.lines:
            err(l)
        err(usage)
        return 255
    a = dict(zip(positional, pos))
    stores = CONF["template_storages"]
    if cmd == "update":
        out("update successful")
        return 0
    if cmd == "help":
        for k in sorted(cmds):
            out(cmds[k][2])
        return 0
    if cmd == "list":
        s = a["storage"]
        if s not in stores:
            err("storage '%s' does not exist" % s)
            return 255
        out("%-60s %s" % ("NAME", "SIZE"))
        items = sorted(("%s:vztmpl/%s" % (s, f), sz) for f, sz in list_templates(s))
        for volid, sz in sorted(items, key=lambda x: x[0].lower()):
            out("%-60s %-4.2fMB" % (volid, sz / 1048576.0))
        return 0
    if cmd == "available":
        sec = opts.get("section")
        if sec and sec not in ("system", "mail", "turnkeylinux"):
            err("400 Parameter verification failed.")
            err("section: value '%s' does not have a value in the enumeration 'system, mail, turnkeylinux'" % sec)
            err(usage)
            return 255
        if sec in (None, "system"):
            names = sorted(set(f for s in stores for f, _ in list_templates(s)))
            for f in names:
                mm = re.search(r"_(amd64|i386|arm64|armhf)\.tar", f)
                out("%-15s %-60s %s" % ("system", f, mm.group(1) if mm else "unknown"))
        return 0
    if cmd == "download":
        s, t = a["storage"], a["template"]
        if s not in stores:
            err("storage '%s' does not support templates" % s)
            return 255
        src = None
        for st in stores:
            p = os.path.join(CONF["templates_dir"], st, t)
            if os.path.isfile(p):
                src = p
                break
        if src is None:
            err("400 Parameter verification failed.")
            err("template: no such template")
            err(usage)
            return 255
        dest = os.path.join(CONF["templates_dir"], s, t)
        if os.path.abspath(src) == os.path.abspath(dest):
            out("calculating checksum of existing file...OK, got correct file already, no need to download")
        else:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            out("downloading file://%s to %s" % (src, dest))
            shutil.copyfile(src, dest)
            out("calculating checksum...OK, checksum verified")
        return 0
    if cmd == "remove":
        m = re.fullmatch(r"([^:]+):vztmpl/(.+)", a["template_path"])
        if not m:
            err("400 Parameter verification failed.")
            err("template_path: invalid format - unable to parse volume ID '%s'" % a["template_path"])
            return 255
        p = os.path.join(CONF["templates_dir"], m.group(1), m.group(2))
        if not os.path.isfile(p):
            err("volume '%s' does not exist" % a["template_path"])
            return 255
        os.unlink(p)
        return 0
    return 0


# --------------------------------------------------------------------------
# pvesh


def ct_status_obj(vmid):
    c = load_config(vmid, must=False) or {}
    running = is_running(vmid)
    o = {"vmid": int(vmid), "status": "running" if running else "stopped", "name": ct_name(vmid, c),
         "type": "lxc", "cpus": int(c.get("cores", os.cpu_count() or 1)),
         "maxmem": int(c.get("memory", 512)) * 1048576, "maxswap": int(c.get("swap", 512)) * 1048576,
         "maxdisk": 4 * 1024 ** 3, "mem": 0, "swap": 0, "disk": 0, "uptime": 0, "cpu": 0,
         "netin": 0, "netout": 0, "diskread": 0, "diskwrite": 0}
    for k in ("lock", "tags"):
        if k in c:
            o[k] = c[k]
    if parse_bool(c.get("template", "0")):
        o["template"] = 1
    if running:
        p = lxc_pid(vmid)
        if p.isdigit():
            o["pid"] = int(p)
    return o


def main_pvesh(argv):
    if os.geteuid() != 0:
        err("please run as root")
        return 255
    args = list(argv)
    while args and args[0] in ("--noproxy", "--nooutput"):
        args.pop(0)
    if not args or args[0] not in ("get", "ls", "set", "create", "delete", "usage"):
        err("ERROR: unknown command 'pvesh %s'" % (args[0] if args else ""))
        err("USAGE: pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]")
        return 255
    verb = args[0]
    try:
        opts, pos = getopt(args[1:], {"output-format": "value", "noheader": "bool", "noborder": "bool",
                                       "quiet": "bool", "human-readable": "bool", "vmid": "value",
                                       "type": "value"})
    except UsageError as e:
        for l in e.lines:
            err(l)
        return 255
    if len(pos) != 1:
        err("400 not enough arguments" if not pos else "400 too many arguments")
        return 255
    path = "/" + pos[0].strip("/")
    fmt = opts.get("output-format", "text")
    if fmt not in ("text", "json", "json-pretty", "yaml"):
        err("400 Parameter verification failed.")
        err("output-format: value '%s' does not have a value in the enumeration 'text, json, json-pretty, yaml'" % fmt)
        return 255
    if verb != "get":
        err("No '%s' handler defined for '%s'" % (verb, path))
        return 255
    if path == "/cluster/nextid":
        used = set(all_vmids())
        if os.path.isdir(LXCPATH):
            for f in os.listdir(LXCPATH):
                if f.isdigit():
                    used.add(int(f))
        if "vmid" in opts:
            v = opts["vmid"]
            if v.isdigit() and int(v) in used:
                err("400 Parameter verification failed.")
                err("vmid: VM %s already exists" % v)
                return 255
            res = v
        else:
            res = next((i for i in range(100, 1000000) if i not in used), None)
            if res is None:
                err("unable to get any free VMID in range [100, 1000000]")
                return 255
        if fmt == "text":
            out(str(res))
        else:
            out(json.dumps(res))
        return 0
    m = re.fullmatch(r"/nodes/([^/]+)/lxc", path)
    if path == "/cluster/resources" or m:
        if m and m.group(1) not in ("localhost", NODE):
            err("hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known" % (m.group(1), m.group(1)))
            return 255
        objs = [ct_status_obj(str(i)) for i in all_vmids()]
        if path == "/cluster/resources":
            t = opts.get("type")
            if t not in (None, "vm"):
                objs = []
            for o in objs:
                o["id"] = "lxc/%d" % o["vmid"]
                o["node"] = NODE
            objs.sort(key=lambda o: str(o["vmid"]))
        if fmt == "text":
            for o in objs:
                out(json.dumps(o, sort_keys=True))
        elif fmt == "json-pretty":
            out(json.dumps(objs, sort_keys=True, indent=4))
        else:
            out(json.dumps(objs, sort_keys=True, separators=(",", ":")))
        return 0
    m = re.fullmatch(r"/nodes/([^/]+)/lxc/(\d+)/status/current", path)
    if m:
        if not os.path.exists(conf_path(m.group(2))):
            err(missing_conf(m.group(2)).msg)
            return 255
        o = ct_status_obj(m.group(2))
        o["ha"] = {"managed": 0}
        out(json.dumps(o, sort_keys=True, separators=(",", ":")) if fmt != "json-pretty" else json.dumps(o, sort_keys=True, indent=4))
        return 0
    err("No 'get' handler defined for '%s'" % path)
    return 255


def main(tool):
    os.environ["PATH"] = os.environ.get("PATH") or SAFE_PATH
    if "/usr/sbin" not in os.environ["PATH"].split(":"):
        os.environ["PATH"] += ":/usr/sbin:/sbin"
    try:
        rc = {"pct": main_pct, "pveam": main_pveam, "pvesh": main_pvesh}[tool](sys.argv[1:])
    except KeyboardInterrupt:
        rc = 130
    except BrokenPipeError:
        rc = 141
    sys.stdout.flush()
    sys.exit(rc & 0xFF if rc >= 0 else 255)

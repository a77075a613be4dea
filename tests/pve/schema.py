"""Parameter formats and validation (a subset of PVE::JSONSchema), the
container option tables (pct.md §3) and how PVE normalises stored values."""

import hashlib
import ipaddress
import re

from .cli import param_error, parse_boolean

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
        raise param_error(errors, usage)


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


ALIST_OPTS = {"exclude-path"}


def getopt_spec(schema):
    spec = {}
    for k, s in schema.items():
        if s["type"] == "boolean":
            spec[k] = "b"
        elif k in LIST_OPTS:
            spec[k] = "l"
        elif k in ALIST_OPTS:
            spec[k] = "a"
        else:
            spec[k] = "s"
    return spec


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


def prop_dict(value, default_key=None):
    """A stored property string as a dict, without validation."""
    d = {}
    for part in value.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            d[k] = v
        elif part and default_key:
            d[default_key] = part
    return d


def gen_hwaddr(vmid, opt, value, salt=""):
    """Deterministic (salt: for `--unique`) unicast MAC with PVE's prefix."""
    h = hashlib.sha1(f"{vmid}/{opt}/{value}/{salt}".encode()).hexdigest().upper()
    return "BC:24:11:%s:%s:%s" % (h[0:2], h[2:4], h[4:6])


def norm_net(vmid, opt, value, salt=None):
    d = parse_property_string(NET_FORMAT, value)
    if "hwaddr" not in d or salt is not None:
        d["hwaddr"] = gen_hwaddr(vmid, opt, value, salt or "")
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


def is_volume_key(k):
    return re.fullmatch(r"rootfs|mp\d+|unused\d+", k) is not None


def volume_of(value):
    """The volume of a rootfs/mpN/unusedN value (first item)."""
    return value.split(",", 1)[0]


def is_storage_volume(vol):
    return ":" in vol and not vol.startswith("/")

"""The container config file in PVE's on-disk format (pct.md §4)."""

import hashlib
import os
import re

from .cli import err, parse_boolean
from .schema import BOOL_KEYS, CT_OPTIONS


def encode_text(s):
    """Comment encoding: every byte except 0x20-0x24, 0x26-0x39, 0x3B-0x7E
    as %XX."""
    res = []
    for b in s.encode("utf-8"):
        if 0x20 <= b <= 0x24 or 0x26 <= b <= 0x39 or 0x3B <= b <= 0x7E:
            res.append(chr(b))
        else:
            res.append("%%%02X" % b)
    return "".join(res)


def decode_text(s):
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  s.encode("utf-8")).decode("utf-8", "replace")


class Conf:
    """One config: description, `key: value` pairs (strings, as stored), raw
    `lxc.*` lines in file order, and the untouched text of pending/snapshot
    sections."""

    def __init__(self, vmid, path=None):
        self.vmid = vmid
        self.path = path
        self.description = None
        self.keys = {}
        self.lxc = []       # [(key, value)] in file order
        self.extra = ""     # raw text of [pve:pending] / snapshot sections

    @staticmethod
    def parse(vmid, text, path=None):
        c = Conf(vmid, path)
        lines = text.split("\n")
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

    @staticmethod
    def read(vmid, path):
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            return Conf.parse(vmid, f.read(), path)

    def text(self, extra=True):
        s = ""
        if self.description:
            for line in re.sub(r"\n+$", "", self.description).split("\n"):
                s += "#" + encode_text(line) + "\n"
        for k in sorted(self.keys):
            s += f"{k}: {self.keys[k]}\n"
        for k, v in self.lxc:
            s += f"{k}: {v}\n"
        if extra and self.extra:
            s += "\n" + self.extra
        return s

    def write(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp.%d" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.text())
        os.replace(tmp, self.path)

    def digest(self):
        with open(self.path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()

    def is_true(self, key):
        return parse_boolean(self.keys.get(key, "0")) == 1

    def name(self):
        return re.sub(r"\s", "", self.keys.get("hostname", "")) or f"CT{self.vmid}"

    def mountpoints(self):
        """[(key, value)] of rootfs and mpN, rootfs first, mpN by number."""
        res = [("rootfs", self.keys["rootfs"])] if "rootfs" in self.keys else []
        mps = sorted((int(k[2:]), k) for k in self.keys if re.fullmatch(r"mp\d+", k))
        return res + [(k, self.keys[k]) for _, k in mps]

    def bind_sources(self):
        res = []
        for k, v in self.mountpoints():
            if k == "rootfs":
                continue
            vol = v.split(",", 1)[0]
            if vol.startswith("/") and not vol.startswith("/dev/"):
                res.append(vol)
        return res

    def idmap(self):
        """[(u|g, ct, host, count)]; [] for a privileged CT (pct.md §4.5)."""
        from .cli import Die
        raw = [v for k, v in self.lxc if k in ("lxc.idmap", "lxc.id_map")]
        if raw:
            res = []
            for v in raw:
                p = v.split()
                if len(p) != 4 or p[0] not in ("u", "g") or not all(x.isdigit() for x in p[1:]):
                    raise Die("failed to parse idmap: %s" % v)
                res.append((p[0], int(p[1]), int(p[2]), int(p[3])))
            return res
        if self.is_true("unprivileged"):
            return [("u", 0, 100000, 65536), ("g", 0, 100000, 65536)]
        return []

"""`pvesm` status/list/free/path/extractconfig/apiinfo (pct.md §11.3), and
the storage objects pvesh returns."""

import os
import re
import time

from .cli import Die, err, main_table, out, param_error, run_task
from .host import CONTENT_TYPES
from .schema import BOOL, S, fmt_storage

STORAGE = S("string", format=fmt_storage)
STATUS_OPTS = {"storage": STORAGE, "content": S("string"), "enabled": BOOL,
               "target": S("string"), "format": BOOL}
LIST_OPTS = {"content": S("string"), "vmid": S("integer", minimum=100, maximum=999999999)}

COMMANDS = {
    "status": ([], STATUS_OPTS),
    "list": (["storage"], {"storage": STORAGE, **LIST_OPTS}),
    "free": (["volume"], {"storage": STORAGE, "delay": S("integer", minimum=1, maximum=30)}),
    "path": (["volume"], {}),
    "extractconfig": (["volume"], {}),
    "apiinfo": ([], {}),
    "help": (["extra-args"], {}),
}

BACKUP_RE = re.compile(r"vzdump-(lxc|qemu|openvz)-(\d+)-(\d{4})_(\d\d)_(\d\d)-(\d\d)_(\d\d)_(\d\d)"
                       r"\.((?:tar|vma)(?:\.(?:zst|gz|lzo))?|tgz)")
TEMPLATE_FORMATS = [(".tar.zst", "tzst"), (".tar.xz", "txz"), (".tar.gz", "tgz"),
                    (".tar.bz2", "tbz2"), (".tar", "tar")]


def check_content(value, usage):
    for c in [x for x in re.split(r"[,\s]+", value or "") if x]:
        if c not in CONTENT_TYPES:
            raise param_error([("content", f"invalid format - invalid content type '{c}'")],
                              usage)


def storage_info(host, name, st):
    """One storage as GET /nodes/<node>/storage lists it; warns like PVE
    when it cannot be activated."""
    o = {"storage": name, "type": st["type"], "content": ",".join(sorted(st["content"])),
         "enabled": 1 if st["enabled"] else 0, "active": 0, "shared": 1 if st["shared"] else 0,
         "total": 0, "used": 0, "avail": 0}
    if st["enabled"]:
        if st["active"]:
            o["active"] = 1
            o["total"], o["used"], o["avail"] = host.capacity(name)
            if o["total"] > 0:
                o["used_fraction"] = o["used"] / o["total"]
        else:
            err(f"storage '{name}' is not online")
    return o


def storage_index(host, opts, usage):
    sts = host.storages()
    if "storage" in opts and opts["storage"] not in sts:
        raise param_error([("storage", "No such storage.")], usage)
    check_content(opts.get("content"), usage)
    want = [x for x in re.split(r"[,\s]+", opts.get("content") or "") if x]
    res = []
    for name in sorted(sts):
        st = sts[name]
        if "storage" in opts and name != opts["storage"]:
            continue
        if want and not (st["enabled"] and set(want) & set(st["content"])):
            continue
        if opts.get("enabled") and not st["enabled"]:
            continue
        res.append(storage_info(host, name, st))
    return res


def storage_status(host, name, usage):
    st = host.storages().get(name)
    if st is None:
        raise param_error([("storage", "No such storage.")], usage)
    o = storage_info(host, name, st)
    o.pop("storage")
    o.pop("used_fraction", None)
    return o


def cmd_status(host, opts, usage):
    rows = storage_index(host, opts, usage)
    if not rows:
        return
    width = max(len(r["storage"]) for r in rows) + 1
    out("%-*s %10s %10s %15s %15s %15s %8s" % (width, "Name", "Type", "Status", "Total (KiB)",
                                              "Used (KiB)", "Available (KiB)", "%"))
    for r in rows:
        if not r["enabled"]:
            out("%-*s %10s %10s %15d %15d %15d %8s" % (width, r["storage"], r["type"],
                                                      "disabled", 0, 0, 0, "N/A"))
            continue
        status = "active" if r["active"] else "inactive"
        pct = r["used"] * 100 / r["total"] if r["total"] else 0
        out("%-*s %10s %10s %15d %15d %15d % 7.2f%%" % (width, r["storage"], r["type"], status,
                                                        r["total"] // 1024, r["used"] // 1024,
                                                        r["avail"] // 1024, pct))


def backup_info(name):
    """(vmid, subtype, format, ctime) of a standard backup file name, or None."""
    m = BACKUP_RE.fullmatch(name)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[2:8])
    ctime = int(time.mktime((y, mo, d, h, mi, s, 0, 0, -1)))
    return int(m.group(2)), m.group(1), m.group(9), ctime


def volume_list(host, store, opts, usage):
    """GET /nodes/<node>/storage/<s>/content."""
    check_content(opts.get("content"), usage)
    st = host.storage(store)
    want = [x for x in re.split(r"[,\s]+", opts.get("content") or "") if x] or st["content"]
    vmid = opts.get("vmid")
    items = []
    if "vztmpl" in want and "vztmpl" in st["content"] and vmid is None:
        d = host.content_dir(store, "vztmpl")
        for n in host.files(store, "vztmpl"):
            fmt = next((f for ext, f in TEMPLATE_FORMATS if n.endswith(ext)), None)
            if fmt is None:
                continue
            p = os.path.join(d, n)
            items.append({"volid": f"{store}:vztmpl/{n}", "format": fmt, "content": "vztmpl",
                          "size": os.path.getsize(p), "ctime": int(os.path.getmtime(p))})
    if "backup" in want and "backup" in st["content"]:
        d = host.content_dir(store, "backup")
        for n in host.files(store, "backup"):
            info = backup_info(n)
            if info is None or (vmid is not None and f"-{vmid}-" not in n):
                continue
            p = os.path.join(d, n)
            o = {"volid": f"{store}:backup/{n}", "format": info[2], "content": "backup",
                 "size": os.path.getsize(p), "ctime": info[3], "vmid": info[0],
                 "subtype": info[1]}
            if os.path.exists(p + ".notes"):
                with open(p + ".notes", encoding="utf-8", errors="replace") as f:
                    o["notes"] = f.read().split("\n", 1)[0]
            if os.path.exists(p + ".protected"):
                o["protected"] = 1
            items.append(o)
    if set(want) & {"rootdir", "images"}:
        for name, size, owner in host.list_images(store):
            if vmid is not None and f"-{vmid}-" not in name:
                continue
            content = "rootdir" if "rootdir" in st["content"] else "images"
            if content not in want:
                continue
            items.append({"volid": f"{store}:{name}", "format": host.image_format(store),
                          "content": content, "size": size, "vmid": owner,
                          "ctime": 0})
    return sorted(items, key=lambda o: o["volid"].lower())


def cmd_list(host, opts, usage):
    items = volume_list(host, opts["storage"], opts, usage)
    width = max([len(i["volid"]) for i in items] + [0])
    digits = len(str(max([i["size"] for i in items] + [0])))
    base = "%-*s %-7s %-9s %*s"
    out((base + " %s") % (width, "Volid", "Format", "Type", digits, "Size", "VMID"))
    for i in items:
        if i.get("vmid"):
            out((base + " %d") % (width, i["volid"], i["format"], i["content"], digits,
                                  i["size"], i["vmid"]))
    for i in sorted(items, key=lambda i: i["format"]):
        if not i.get("vmid"):
            out(base % (width, i["volid"], i["format"], i["content"], digits, i["size"]))


def parse_volume(host, opts, usage):
    """(storage, volname) of a volume argument."""
    v = opts["volume"]
    store, sep, name = v.partition(":")
    if not sep:
        if "storage" not in opts:
            raise param_error([("volume", "no storage specified - incomplete volume ID")], usage)
        store, name = opts["storage"], v
    elif "storage" in opts and opts["storage"] != store:
        raise param_error([("volume", f"storage ID mismatch ({store} != {opts['storage']})")],
                          usage)
    return store, name


def volume_path(host, store, name):
    """(real path, path as PVE prints it) of a storage volume."""
    m = re.fullmatch(r"(vztmpl|backup|iso|snippets)/(.+)", name)
    if m:
        content = m.group(1)
        return (os.path.join(host.content_dir(store, content), m.group(2)),
                host.show_path(store, content, m.group(2)))
    return host.image_path(store, name)


def cmd_free(host, opts, usage):
    store, name = parse_volume(host, opts, usage)
    volid = f"{store}:{name}"

    def task():
        host.storage(store)
        real, shown = volume_path(host, store, name)
        if name.startswith("backup/"):
            if os.path.exists(real + ".protected"):
                raise Die(f"cannot remove protected volume '{name}' on '{store}'")
            if os.path.exists(real):
                os.unlink(real)
            else:
                err(f"disk image '{shown}' does not exist")
            if backup_info(os.path.basename(real)):
                stem = re.sub(r"\.(tar|vma)(\.\w+)?$|\.tgz$", "", real)
                for extra in (stem + ".log", real + ".notes"):
                    if os.path.exists(extra):
                        os.unlink(extra)
        elif re.match(r"(vztmpl|iso|snippets)/", name):
            if os.path.exists(real):
                os.unlink(real)
            else:
                err(f"disk image '{shown}' does not exist")
        else:
            host.free_volume(volid)
        out(f"Removed volume '{volid}'")

    run_task(task, upid_exit=False)


def cmd_path(host, opts, usage):
    store, name = parse_volume(host, opts, usage)
    host.storage(store)
    out(volume_path(host, store, name)[1])


def cmd_extractconfig(host, opts, usage):
    from .pct import archive_volume, backup_config
    archive, _ = archive_volume(host, opts["volume"], "backup")
    if not os.path.isfile(archive):
        raise Die(f"can't find file '{archive}'")
    text = backup_config(archive)
    if text is None:
        raise Die("ERROR: archive contains no configuration file")
    out(text)


def cmd_apiinfo(host, opts, usage):
    out("APIVER 15")
    out("APIAGE 6")


HANDLERS = {"status": cmd_status, "list": cmd_list, "free": cmd_free, "path": cmd_path,
            "extractconfig": cmd_extractconfig, "apiinfo": cmd_apiinfo}


def main(host, argv):
    main_table(host, "pvesm", COMMANDS, argv, HANDLERS)

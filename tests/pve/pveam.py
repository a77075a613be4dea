"""`pveam` (pct.md §6)."""

import os
import re

from .cli import Die, main_table, out, param_error
from .schema import S, fmt_storage

STORAGE = S("string", format=fmt_storage)

COMMANDS = {
    "update": ([], {}),
    "available": ([], {"section": S("string", enum=["system", "mail", "turnkeylinux"])}),
    "list": (["storage"], {"storage": STORAGE, "content": S("string")}),
    "download": (["storage", "template"], {"storage": STORAGE}),
    "remove": (["template_path"], {}),
    "help": (["extra-args"], {}),
}


def template_dir(host, store):
    """The template folder of a storage, or the error pveam gives."""
    st = host.storages().get(store)
    if st is None:
        raise Die(f"storage '{store}' does not exist")
    if "vztmpl" not in st["content"]:
        raise Die("Storage does not support templates!")
    return host.content_dir(store, "vztmpl")


def cmd_update(host, opts, usage):
    out("update successful")


def cmd_available(host, opts, usage):
    for sec, name, arch in host.available():
        if opts.get("section") in (None, sec):
            out("%-15s %-60s %s" % (sec, name, arch))


def cmd_list(host, opts, usage):
    store = opts["storage"]
    d = template_dir(host, store)
    out("%-60s %s" % ("NAME", "SIZE"))
    rows = [(f"{store}:vztmpl/{n}", os.path.getsize(os.path.join(d, n)))
            for n in host.files(store, "vztmpl")]
    for volid, size in sorted(rows, key=lambda r: r[0].lower()):
        out("%-60s %-4.2fMB" % (volid, size / (1024 * 1024)))


def cmd_download(host, opts, usage):
    store, tpl = opts["storage"], opts["template"]
    avail = {n: s for s, n, a in host.available()}
    if tpl not in avail:
        raise param_error([("template", "no such template")], usage)
    st = host.storages().get(store)
    if st is None or "vztmpl" not in st["content"]:
        raise Die(f"storage '{store}' does not support templates")
    d = host.content_dir(store, "vztmpl")
    dest = os.path.join(d, tpl)
    show = host.show_path(store, "vztmpl", tpl)
    if os.path.exists(dest):
        out("calculating checksum of existing file...OK, got correct file already, "
            "no need to download")
        return
    url = host.template_url(avail[tpl], tpl)
    out(f"downloading {url} to {show}")
    os.makedirs(d, exist_ok=True)
    host.fetch_template(avail[tpl], tpl, dest)
    out("calculating checksum...OK, checksum verified")
    out(f"download of '{url}' to '{show}' finished")


def cmd_remove(host, opts, usage):
    v = opts["template_path"]
    store, _, volname = v.partition(":")
    m = re.fullmatch(r"vztmpl/(.+)", volname)
    if not m:
        raise Die(f"unable to use volume {v} - content type needs to be 'vztmpl'")
    f = os.path.join(template_dir(host, store), m.group(1))
    if os.path.exists(f):
        os.unlink(f)


HANDLERS = {"update": cmd_update, "available": cmd_available, "list": cmd_list,
            "download": cmd_download, "remove": cmd_remove}


def main(host, argv):
    main_table(host, "pveam", COMMANDS, argv, HANDLERS)

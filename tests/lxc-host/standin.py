import os, json
HERE = os.path.dirname(os.path.realpath(__file__))
DEFAULTS = {"state_dir": "/var/lib/git-lxc-standin"}
def _load():
    c = dict(DEFAULTS)
    p = os.path.join(HERE, "standin.conf")
    if os.path.exists(p):
        c.update(json.load(open(p)))
    s = c["state_dir"]
    c.setdefault("pve_dir", os.path.join(s, "pve"))
    c.setdefault("templates_dir", os.path.join(s, "templates"))
    return c
CONF = _load()

#!/bin/bash
# Smoke test of the LXC-backed pct stand-in (run as root on a host with lxc + debootstrap).
#   tests/lxc-host/smoke.sh            # uses CT ids 990 and 991
#   ID1=980 ID2=981 tests/lxc-host/smoke.sh
# Exit 0 when every check passes; prints wall times of the main steps.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
export PATH="$HERE:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ID1=${ID1:-990}
ID2=${ID2:-991}
TPL=debian-12-standard_12.0-1_amd64.tar.gz

[ "$(id -u)" = 0 ] || { echo "smoke.sh: must run as root" >&2; exit 2; }
for c in lxc-start lxc-attach debootstrap python3; do
  command -v "$c" >/dev/null || { echo "smoke.sh: '$c' missing (apt-get install -y lxc debootstrap)" >&2; exit 2; }
done
PVE_DIR=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import standin; print(standin.CONF["pve_dir"])' "$HERE")

FAILS=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print("%.1fs" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
wait_ip() { # bounded wait for an IPv4, like git-lxc does
  local id=$1 i
  for i in $(seq 1 50); do
    lxc-info -n "$id" -iH 2>/dev/null | grep -qE '^[0-9]+\.' && return 0
    sleep 0.2
  done
  return 1
}

for id in "$ID1" "$ID2"; do
  if [ -e "$PVE_DIR/lxc/$id.conf" ] || [ -e "/var/lib/lxc/$id" ]; then
    echo "smoke.sh: CT $id already exists; destroy it first (pct stop $id; pct destroy $id) or set ID1/ID2" >&2
    exit 2
  fi
done

TMP=$(mktemp -d /tmp/git-lxc-smoke.XXXXXX)
chmod 755 "$TMP"   # the unprivileged CT's root (host uid 100000) must be able to traverse to bind sources
cleanup() {
  for id in "$ID1" "$ID2"; do
    if [ -e "$PVE_DIR/lxc/$id.conf" ]; then
      pct stop "$id" >/dev/null 2>&1 || true
      pct unlock "$id" >/dev/null 2>&1 || true
      pct destroy "$id" --purge 1 >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/data1" "$TMP/conf1" "$TMP/data2"
chown 100000:100000 "$TMP/data1"          # writable by the CT's root (unprivileged: host uid 100000)
echo "greeting=hi" > "$TMP/conf1/settings"
chmod 1777 "$TMP/data2"                   # the MAP=1 CT writes here as uid 1000

echo "# make-template"
t0=$(now); make-template; t1=$(now)
T_TPL=$(elapsed "$t0" "$t1")
check "pveam list local shows the template" sh -c "pveam list local | grep -q '^local:vztmpl/$TPL '"

# ---------------------------------------------------------------- CT 1: unprivileged + bind mounts
echo "# CT $ID1: create + start"
t0=$(now)
pct create "$ID1" "local:vztmpl/$TPL" --hostname smoke1 --ostype debian --arch amd64 --cores 1 \
  --memory 256 --swap 256 --rootfs local-lvm:1 --net0 name=eth0,bridge=vmbr0,ip=dhcp \
  --onboot 0 --unprivileged 1 --features nesting=1,keyctl=1 --tags git-lxc \
  --description "$(printf 'smoke test\ngit-lxc: name=smoke1 commit=%040d state=building' 0)" \
  --mp0 "$TMP/data1,mp=/usr/local/data" --mp1 "$TMP/conf1,mp=/usr/local/conf,ro=1" >/dev/null
pct start "$ID1"
t1=$(now)
T_CS1=$(elapsed "$t0" "$t1")
check "pct status says running" sh -c "pct status $ID1 | grep -qx 'status: running'"
check "config file has the encoded description" grep -q '^#git-lxc%3A name=smoke1' "$PVE_DIR/lxc/$ID1.conf"
check "pct list shows the CT" sh -c "pct list | grep -qE '^$ID1 +running +smoke1'"
t0=$(now)
if wait_ip "$ID1"; then pass "lxc-info -iH reports an IPv4 ($(lxc-info -n "$ID1" -iH | head -1)) after $(elapsed "$t0" "$(now)")"; else fail "no IPv4 reported"; fi
check "lxc-ls --fancy shows it RUNNING" sh -c "lxc-ls --fancy --fancy-format NAME,STATE,IPV4 | grep -qE '^$ID1 +RUNNING +[0-9]'"

set +e
out=$(pct exec "$ID1" --keep-env 0 -- bash -s 2>"$TMP/err" <<'EOS'
set -u
echo hello > /usr/local/data/hello || exit 10
if echo x > /usr/local/conf/x 2>/dev/null; then echo "conf is writable"; exit 11; fi
grep -q greeting=hi /usr/local/conf/settings || exit 12
[ "$PATH" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ] || exit 13
echo "to-stderr" >&2
echo "inside-ok $(id -u)"
EOS
)
rc=$?
set -e
check "exec with script on stdin succeeds (rc=$rc)" test "$rc" = 0
check "stdout passed through" test "$out" = "inside-ok 0"
check "stderr passed through" grep -qx to-stderr "$TMP/err"
check "host sees data/hello" test -f "$TMP/data1/hello"
check "data/hello owned by host uid 100000" test "$(stat -c %u:%g "$TMP/data1/hello")" = 100000:100000
check "ro mount left conf/ untouched" test ! -e "$TMP/conf1/x"
set +e
pct exec "$ID1" --keep-env 0 -- sh -c 'exit 7'; rc=$?
set -e
check "exit code passed through (7 = $rc)" test "$rc" = 7

# refusals
check_err() { # expected-text cmd...
  local want=$1; shift
  local got rc
  set +e; got=$("$@" 2>&1 >/dev/null); rc=$?; set -e
  if [ "$rc" != 0 ] && grep -qF -- "$want" <<<"$got"; then pass "refusal: $want"; else fail "expected '$want', got rc=$rc '$got'"; fi
}
check_err "CT $ID1 already running" pct start "$ID1"
check_err "unable to destroy CT $ID1 - container is running" pct destroy "$ID1" --purge 1
check_err "CT $ID1 already exists on node '" pct create "$ID1" "local:vztmpl/$TPL"
check_err "memory: value must have a minimum value of 16" pct create 1999 "local:vztmpl/$TPL" --memory 8
check_err "Configuration file 'nodes/" pct status 1999

# ---------------------------------------------------------------- CT 2: MAP=1 idmap
echo "# CT $ID2: create, add lxc.idmap (MAP=1), start"
t0=$(now)
pct create "$ID2" "local:vztmpl/$TPL" --hostname smoke2 --ostype debian --memory 256 --swap 0 \
  --rootfs local-lvm:1 --net0 name=eth0,bridge=vmbr0,ip=manual --unprivileged 1 \
  --mp0 "$TMP/data2,mp=/usr/local/data" >/dev/null
cat >> "$PVE_DIR/lxc/$ID2.conf" <<'EOF'
lxc.idmap = u 0 100000 1000
lxc.idmap = g 0 100000 1000
lxc.idmap = u 1000 1000 1
lxc.idmap = g 1000 1000 1
lxc.idmap = u 1001 101001 64535
lxc.idmap = g 1001 101001 64535
EOF
# what git-lxc does for MAP=1 (newuidmap checks these when uidmap is installed)
grep -qx 'root:1000:1' /etc/subuid || echo 'root:1000:1' >> /etc/subuid
grep -qx 'root:1000:1' /etc/subgid || echo 'root:1000:1' >> /etc/subgid
pct start "$ID2"
t1=$(now)
T_CS2=$(elapsed "$t0" "$t1")
check "idmap in effect" sh -c "pct exec $ID2 -- cat /proc/self/uid_map | grep -qE '^ +1000 +1000 +1\$'"
check "pct config lists the raw idmap lines" sh -c "pct config $ID2 | grep -q '^lxc.idmap: u 1000 1000 1\$'"
check "ip=manual: lxc-info reports no IPv4" sh -c "! lxc-info -n $ID2 -iH | grep -qE '^[0-9]+\\.'"
pct exec "$ID2" --keep-env 0 -- setpriv --reuid 1000 --regid 1000 --clear-groups \
  sh -c 'echo mine > /usr/local/data/by1000'
pct exec "$ID2" --keep-env 0 -- sh -c 'echo root > /usr/local/data/byroot'
check "host sees the file of CT uid 1000 as uid 1000" test "$(stat -c %u:%g "$TMP/data2/by1000")" = 1000:1000
check "CT root still maps to 100000" test "$(stat -c %u "$TMP/data2/byroot")" = 100000

# ---------------------------------------------------------------- teardown
echo "# shutdown / stop / destroy"
t0=$(now)
pct shutdown "$ID1" --timeout 30
pct stop "$ID2"
check_err "CT $ID2 not running" pct stop "$ID2"
check_err "container '$ID2' not running!" pct exec "$ID2" --keep-env 0 -- true
pct destroy "$ID1" --purge 1
pct destroy "$ID2" --purge 1
t1=$(now)
T_DES=$(elapsed "$t0" "$t1")
check "configs gone" test ! -e "$PVE_DIR/lxc/$ID1.conf" -a ! -e "$PVE_DIR/lxc/$ID2.conf"
check "lxc dirs gone" test ! -e "/var/lib/lxc/$ID1" -a ! -e "/var/lib/lxc/$ID2"
check "bind sources survive destroy" test -f "$TMP/data1/hello" -a -f "$TMP/conf1/settings" -a -f "$TMP/data2/by1000"
check "nextid is free again" sh -c "pvesh get /cluster/nextid | grep -qE '^[0-9]+\$'"

echo
echo "timings: template $T_TPL, create+start CT1 $T_CS1, create+idmap+start CT2 $T_CS2, shutdown/stop+destroy both $T_DES"
if [ "$FAILS" = 0 ]; then echo "smoke: ALL OK"; else echo "smoke: $FAILS FAILED"; exit 1; fi

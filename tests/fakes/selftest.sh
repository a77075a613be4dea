#!/usr/bin/env bash
# Self-check of the fake Proxmox host (tests/pve, file backend, started as
# tests/fakes/fakehost.py): builds a private bin + state folder and exercises
# the shared CLI (pct, pveam, pvesh, pvesm, vzdump) and the fake sudo,
# lxc-info and lxc-ls the way git-lxc calls them.  Prints
# "selftest: N passed, M failed"; exit 0 = all passed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
BIN=$T/bin
STATE=$T/state
mkdir -p "$BIN" "$STATE/templates/local" "$STATE/pve/lxc" "$T/data" "$T/conf"
for n in pct pveam pvesh pvesm vzdump sudo lxc-info lxc-ls; do ln -s "$HERE/fakehost.py" "$BIN/$n"; done
printf '{"state": "%s", "node": "pve"}\n' "$STATE" >"$BIN/fakehost.json"
PATH="$BIN:$PATH"

TPL=alpine-3.22-default_20250617_amd64.tar.xz
head -c 3145728 /dev/zero >"$STATE/templates/local/$TPL"
: >"$STATE/templates/local/debian-12-standard_12.7-1_amd64.tar.zst"
cat >"$STATE/available.txt" <<EOF
system debian-13-standard_13.1-1_amd64.tar.zst amd64
system alpine-3.22-default_20250617_amd64.tar.xz amd64
turnkeylinux debian-12-turnkey-core_18.0-1_amd64.tar.gz amd64
EOF

PASS=0
FAIL=0
run() { OUT=$("$@" 2>"$T/err"); RC=$?; ERR=$(cat "$T/err"); }
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL: %s\n' "$1"; shift; printf '  %s\n' "$@"; }
is() { # desc actual expected
    if [ "$2" == "$3" ]; then ok; else bad "$1" "expected: $(printf %q "$3")" "actual:   $(printf %q "$2")"; fi
}
has() { # desc actual substring
    case "$2" in *"$3"*) ok ;; *) bad "$1" "missing: $(printf %q "$3")" "in:      $(printf %q "$2")" ;; esac
}
rc() { is "$1 (exit code)" "$RC" "$2"; }

# ---------------------------------------------------------------- empty host
run pct list
rc "pct list empty" 0
is "pct list empty prints nothing" "$OUT" ""
run lxc-ls --fancy --fancy-format NAME,STATE,IPV4
is "lxc-ls empty prints nothing" "$OUT" ""
run pvesh get /cluster/nextid
is "nextid default" "$OUT" "100"
echo 150 >"$STATE/nextid"
run pvesh get /cluster/nextid
is "nextid lower bound" "$OUT" "150"
rm "$STATE/nextid"

# ---------------------------------------------------------------- pveam
run pveam list local
rc "pveam list" 0
EXP=$(printf '%-60s %s\n%-60s %-4.2fMB\n%-60s %-4.2fMB' NAME SIZE \
    "local:vztmpl/$TPL" 3 "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" 0)
is "pveam list format" "$OUT" "$EXP"
run pveam list nosuch
rc "pveam list unknown storage" 255
is "pveam list unknown storage msg" "$ERR" "storage 'nosuch' does not exist"
run pveam update
is "pveam update" "$OUT" "update successful"
run pveam available --section system
EXP=$(printf '%-15s %-60s %s\n%-15s %-60s %s' system alpine-3.22-default_20250617_amd64.tar.xz amd64 \
    system debian-13-standard_13.1-1_amd64.tar.zst amd64)
is "pveam available" "$OUT" "$EXP"
run pveam download local debian-13-standard_13.1-1_amd64.tar.zst
rc "pveam download" 0
has "pveam download output" "$OUT" "checksum verified"
[ -f "$STATE/templates/local/debian-13-standard_13.1-1_amd64.tar.zst" ] && ok || bad "download creates file"
run pveam download local nosuch.tar.xz
is "pveam download unknown" "$ERR" $'400 Parameter verification failed.\ntemplate: no such template\npveam download <storage> <template>'

# ---------------------------------------------------------------- create: invalid
NET="name=eth0,bridge=vmbr0,ip=dhcp"
base=(--hostname web1 --ostype alpine --arch amd64 --cores 1 --memory 128 --swap 512
    --rootfs local-lvm:0.5 --net0 "$NET" --onboot 1 --unprivileged 1 --features nesting=1,keyctl=1)
USAGE="pct create <vmid> <ostemplate> [OPTIONS]"

run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --memory 8
rc "memory too small" 255
is "memory too small msg" "$ERR" $'400 Parameter verification failed.\nmemory: value must have a minimum value of 16\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --hostname bad_name --cores 0
is "hostname+cores msgs" "$ERR" $'400 Parameter verification failed.\ncores: value must have a minimum value of 1\nhostname: invalid format - value does not look like a valid DNS name\n'"$USAGE"
run pct create 99 "local:vztmpl/$TPL" "${base[@]}"
is "vmid too small" "$ERR" $'400 Parameter verification failed.\nvmid: value must have a minimum value of 100\n'"$USAGE"
run pct create abc "local:vztmpl/$TPL"
is "vmid not integer" "$ERR" $'400 Parameter verification failed.\nvmid: type check (\'integer\') failed - got \'abc\'\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --net0 bridge=vmbr0,ip=dhcp
is "net0 without name" "$ERR" $'400 Parameter verification failed.\nnet0: invalid format - format error\nnet0.name: property is missing and it is not optional\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --net0 name=eth0,ip=10.1.2.3/33,tag=5000,hwaddr=01:00:00:00:00:01
is "net0 bad values" "$ERR" $'400 Parameter verification failed.\nnet0: invalid format - format error\nnet0.hwaddr: invalid format - value does not look like a valid unicast MAC address\nnet0.ip: invalid format - value does not look like a valid ipv4 network configuration\nnet0.tag: value must have a maximum value of 4094\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --ostype windows
is "ostype enum" "$ERR" $'400 Parameter verification failed.\nostype: value \'windows\' does not have a value in the enumeration \'debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged\'\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --tags 'ok;b@d'
is "tags pattern" "$ERR" $'400 Parameter verification failed.\ntags: invalid format - invalid characters in tag\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --mp0 "$T/data"
is "mp0 without mp=" "$ERR" $'400 Parameter verification failed.\nmp0: invalid format - format error\nmp0.mp: property is missing and it is not optional\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --features nesting=1,bogus=1
is "features unknown key" "$ERR" $'400 Parameter verification failed.\nfeatures: invalid format - invalid key in comma-separated list property: bogus\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --bogus 1
is "unknown option" "$ERR" $'Unknown option: bogus\n400 unable to parse option\n'"$USAGE"
run pct create 101 "${base[@]}"
is "missing positional" "$ERR" $'400 not enough arguments\n'"$USAGE"
run pct create 101 "local:vztmpl/$TPL" extra "${base[@]}"
is "extra positional" "$ERR" $'400 too many arguments\n'"$USAGE"
run pct create 101 "local:vztmpl/nosuch.tar.xz" "${base[@]}"
rc "missing template" 255
has "missing template msg" "$ERR" "unable to create CT 101 - command 'tar xpf"
run pct create 101 "local:iso/x.iso" "${base[@]}"
is "wrong content type" "$ERR" "unable to use volume local:iso/x.iso - content type needs to be 'vztmpl'"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --mp0 "$T/nodir,mp=/x"
rc "bind source missing" 255
is "bind source missing msg" "$ERR" "unable to create CT 101 - directory '$T/nodir' does not exist"
ln -s "$T/data" "$T/link"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --mp0 "$T/link,mp=/x"
has "bind source symlink" "$ERR" "mount path modified by symlink: $T/link != $T/data"
echo "not a key" >"$T/keys"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --ssh-public-keys "$T/keys"
is "bad ssh key" "$ERR" "SSH public key validation error"
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --ssh-public-keys "$T/nokeys"
is "missing ssh key file" "$ERR" "can't open '$T/nokeys' - No such file or directory"
[ -z "$(ls "$STATE/pve/lxc")" ] && ok || bad "failed creates leave no config" "$(ls "$STATE/pve/lxc")"

# ---------------------------------------------------------------- create: valid
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyExampleKeyExampleKey user@host" >"$T/keys"
DESC=$'git-lxc: web1\nsource: repo%20 100% done\nline with : colon'
run pct create 101 "local:vztmpl/$TPL" "${base[@]}" --tags 'git-lxc;Web,web' \
    --description "$DESC" --nameserver 1.1.1.1,9.9.9.9 --searchdomain lan \
    --ssh-public-keys "$T/keys" --mp0 "$T/conf,mp=/usr/local/conf,ro=1" --mp1 "$T/data,mp=/usr/local/data"
rc "create ok" 0
is "create stdout" "$OUT" "extracting archive '/var/lib/vz/template/cache/$TPL'
Total bytes read: 3145728 (3.0MiB, 42MiB/s)
Detected container architecture: amd64"
HW=$(sed -n 's/.*hwaddr=\([^,]*\).*/\1/p' "$STATE/pve/lxc/101.conf")
EXPCONF="#git-lxc%3A web1
#source%3A repo%2520 100%25 done
#line with %3A colon
arch: amd64
cores: 1
features: nesting=1,keyctl=1
hostname: web1
memory: 128
mp0: $T/conf,mp=/usr/local/conf,ro=1
mp1: $T/data,mp=/usr/local/data
nameserver: 1.1.1.1 9.9.9.9
net0: name=eth0,bridge=vmbr0,hwaddr=$HW,ip=dhcp,type=veth
onboot: 1
ostype: alpine
rootfs: local-lvm:vm-101-disk-0,size=512M
searchdomain: lan
swap: 512
tags: git-lxc;web
unprivileged: 1"
is "conf file" "$(cat "$STATE/pve/lxc/101.conf")" "$EXPCONF"
case "$HW" in BC:24:11:??:??:??) ok ;; *) bad "generated hwaddr" "$HW" ;; esac
run pct create 101 "local:vztmpl/$TPL" "${base[@]}"
rc "create taken id" 255
is "create taken id msg" "$ERR" "CT 101 already exists on node 'pve'"
run pvesh get /cluster/nextid
is "nextid skips used" "$OUT" "100"
run pct create 100 "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" --rootfs local-lvm:8 \
    --net0 name=eth0,bridge=vmbr0,ip=192.168.1.50/24,gw=192.168.1.1 --unprivileged 0
rc "create debian" 0
has "debian ssh keys" "$OUT" "Creating SSH host key 'ssh_host_ed25519_key'"
run pvesh get /cluster/nextid
is "nextid after 100,101" "$OUT" "102"

# ---------------------------------------------------------------- config round trip
printf 'lxc.idmap: u 0 100000 1000\nlxc.idmap = g 0 100000 1000\n' >>"$STATE/pve/lxc/101.conf"
run pct config 101
EXPCFG="arch: amd64
cores: 1
description: git-lxc%3A web1%0Asource%3A repo%2520 100%25 done%0Aline with %3A colon%0A
features: nesting=1,keyctl=1
hostname: web1
memory: 128
mp0: $T/conf,mp=/usr/local/conf,ro=1
mp1: $T/data,mp=/usr/local/data
nameserver: 1.1.1.1 9.9.9.9
net0: name=eth0,bridge=vmbr0,hwaddr=$HW,ip=dhcp,type=veth
onboot: 1
ostype: alpine
rootfs: local-lvm:vm-101-disk-0,size=512M
searchdomain: lan
swap: 512
tags: git-lxc;web
unprivileged: 1
lxc.idmap: u 0 100000 1000
lxc.idmap: g 0 100000 1000"
is "pct config" "$OUT" "$EXPCFG"
run pct set 101 --description $'new: 50%\ntext'
rc "pct set description" 0
has "set keeps lxc lines" "$(cat "$STATE/pve/lxc/101.conf")" $'unprivileged: 1\nlxc.idmap: u 0 100000 1000\nlxc.idmap: g 0 100000 1000'
is "set description encoded" "$(head -2 "$STATE/pve/lxc/101.conf")" $'#new%3A 50%25\n#text'
run pct set 101
is "set no options" "$ERR" "no options specified"
run pct set 101 --delete bogus
is "set delete unknown" "$ERR" $'400 Parameter verification failed.\ndelete: unknown option \'bogus\'\npct set <vmid> [OPTIONS]'
run pct set 101 --delete memory
is "set delete required" "$ERR" "unable to delete required option 'memory'"
run pct config 102
rc "config missing" 255
is "config missing msg" "$ERR" "Configuration file 'nodes/pve/lxc/102.conf' does not exist"

# ---------------------------------------------------------------- list / status
run pct list
EXP=$(printf '%-10s %-10s %-12s %-20s\n%-10s %-10s %-12s %-20s\n%-10s %-10s %-12s %-20s' \
    VMID Status Lock Name 100 stopped "" CT100 101 stopped "" web1)
is "pct list table" "$OUT" "$EXP"
run pct status 101
is "status stopped" "$OUT" "status: stopped"

# ---------------------------------------------------------------- power + exec
run pct shutdown 101 --timeout 60
is "shutdown stopped CT" "$ERR" "CT 101 not running"
run pct reboot 101
is "reboot stopped CT" "$ERR" "VM 101 not running"
run pct exec 101 --keep-env 0 -- true
is "exec stopped CT" "$ERR" "container '101' not running!"
run pct start 101
rc "start" 0
[ -e "$STATE/running/101" ] && ok || bad "running flag"
run pct start 101
is "start running CT" "$ERR" "CT 101 already running"
run pct status 101
is "status running" "$OUT" "status: running"
run pct exec 101 --keep-env 0 -- apk add --no-cache bash
rc "exec apk" 0
run pct exec 101 ls -la
is "exec without --" "$ERR" $'Unknown option: la\n400 unable to parse option\npct exec <vmid> [<extra-args>] [OPTIONS]'
printf 'echo "secret=hunter2"\nexit 0\n' >"$T/script"
run pct exec 101 --keep-env 0 -- bash -s <"$T/script"
rc "exec bash -s ok" 0
SEQ=$(wc -l <"$STATE/calls.jsonl")
is "stdin saved" "$(cat "$STATE/exec/$SEQ.stdin")" $'echo "secret=hunter2"\nexit 0'
has "call record has stdin_file" "$(tail -1 "$STATE/calls.jsonl")" "\"stdin_file\": \"$STATE/exec/$SEQ.stdin\""
printf 'if true; then\n  echo x\n' >"$T/script"
run pct exec 101 --keep-env 0 -- bash -s <"$T/script"
rc "exec bash -s syntax error" 2
has "bash -n message" "$ERR" "syntax error"
run lxc-info -n 101 -iH
is "lxc-info dhcp ip" "$OUT" "10.0.0.101"
run lxc-info -n 100 -iH
is "lxc-info stopped" "$OUT" ""
rc "lxc-info stopped" 0
run lxc-info -n 999 -iH
rc "lxc-info missing" 1
is "lxc-info missing msg" "$ERR" "999 doesn't exist"
run pct start 100
mkdir -p "$STATE/ip"
printf '192.168.7.7\nfd00::7\n' >"$STATE/ip/101"
run lxc-info -n 101 -iH
is "lxc-info ip file" "$OUT" $'192.168.7.7\nfd00::7'
run lxc-ls --fancy --fancy-format NAME,STATE,IPV4
EXP=$'NAME STATE   IPV4         \n100  RUNNING 192.168.1.50 \n101  RUNNING 192.168.7.7  '
is "lxc-ls fancy" "$OUT" "$EXP"
run pct stop 100
run lxc-ls --fancy --fancy-format NAME,STATE,IPV4
EXP=$'NAME STATE   IPV4        \n100  STOPPED -           \n101  RUNNING 192.168.7.7 '
is "lxc-ls fancy stopped" "$OUT" "$EXP"
run pct reboot 101
rc "reboot" 0
run pvesh get /cluster/resources --type vm --output-format json
has "resources json" "$OUT" '{"cpu":0,"disk":0,"diskread":0,"diskwrite":0,"id":"lxc/101","maxcpu":1,"maxdisk":536870912,"maxmem":134217728,"mem":0,"name":"web1","netin":0,"netout":0,"node":"pve","status":"running","tags":"git-lxc;web","template":0,"type":"lxc","uptime":42,"vmid":101}'
run pct destroy 101 --purge 1
rc "destroy running" 255
is "destroy running msg" "$ERR" "unable to destroy CT 101 - container is running"
run pct shutdown 101 --timeout 60
rc "shutdown" 0
[ ! -e "$STATE/running/101" ] && ok || bad "shutdown clears running flag"

# ---------------------------------------------------------------- boolean pitfall
run pct destroy 101 --purge 100
rc "bare boolean swallows word" 255
is "bare boolean msg" "$ERR" $'400 unable to parse boolean option\npct destroy <vmid> [OPTIONS]'
run pct destroy --purge 101
is "bare boolean before positional" "$ERR" $'400 not enough arguments\npct destroy <vmid> [OPTIONS]'

# ---------------------------------------------------------------- failure rule
echo '[{"match": ["pct", "start", "101"], "exit": 255, "stderr": "startup for container '"'"'101'"'"' failed", "times": 1}]' >"$STATE/rules.json"
run pct start 101
rc "rule fires" 255
is "rule stderr" "$ERR" "startup for container '101' failed"
[ ! -e "$STATE/running/101" ] && ok || bad "rule changes no state"
run pct start 101
rc "rule spent after times" 0
run pct stop 101
rm "$STATE/rules.json"

# ---------------------------------------------------------------- getopt forms
run pct create --hostname=h3 -memory 64 103 --rootfs local-lvm:1 "local:vztmpl/$TPL" --onboot=yes
rc "permuted positionals, --opt=value, -opt" 0
has "bool normalised" "$(cat "$STATE/pve/lxc/103.conf")" $'onboot: 1'
run pct enter 103
is "enter stopped" "$ERR" "container '103' not running!"
echo '[{"match": ["pct", "status"], "delay_ms": 300}]' >"$STATE/rules.json"
S0=$(date +%s%N); run pct status 103; S1=$(date +%s%N)
[ $(((S1 - S0) / 1000000)) -ge 300 ] && ok || bad "delay rule" "$(((S1 - S0) / 1000000)) ms"
is "delay rule continues normally" "$OUT" "status: stopped"
rm "$STATE/rules.json"
run pct destroy 103 --purge 1
rc "destroy 103" 0

# ---------------------------------------------------------------- destroy
run pct destroy 101 --purge 1
rc "destroy" 0
[ ! -e "$STATE/pve/lxc/101.conf" ] && ok || bad "destroy removes conf"
[ -d "$T/data" ] && ok || bad "destroy keeps bind sources"
run pct status 101
is "status after destroy" "$ERR" "Configuration file 'nodes/pve/lxc/101.conf' does not exist"

# ---------------------------------------------------------------- unknown command
run pct frobnicate
rc "unknown command" 255
has "unknown command usage" "$ERR" "USAGE: pct <COMMAND> [ARGS] [OPTIONS]"
run pct conf 100
rc "command prefix" 0

# ---------------------------------------------------------------- pvesm
run pvesm status
rc "pvesm status" 0
EXP=$(printf '%-10s %10s %10s %15s %15s %15s %8s\n' Name Type Status 'Total (KiB)' 'Used (KiB)' 'Available (KiB)' '%')
is "pvesm status header" "$(head -1 <<<"$OUT")" "$EXP"
has "pvesm status local" "$OUT" "$(printf '%-10s %10s %10s %15d' local dir active 104857600)"
has "pvesm status local-lvm" "$OUT" "$(printf '%-10s %10s %10s %15d %15d' local-lvm lvmthin active 104857600 8388608)"
run pvesm status --storage nosuch
is "pvesm status unknown" "$ERR" $'400 Parameter verification failed.\nstorage: No such storage.\npvesm status [OPTIONS]'
run pvesm status --content vztmpl
is "pvesm status --content" "$(tail -n +2 <<<"$OUT" | awk '{print $1}')" "local"
run pvesm list local-lvm
is "pvesm list images" "$OUT" "$(printf '%-23s %-7s %-9s %10s %s\n%-23s %-7s %-9s %10s %d' Volid Format Type Size VMID \
    local-lvm:vm-100-disk-0 raw rootdir 8589934592 100)"
run pvesm list local --content bogus
is "pvesm list bad content" "$ERR" $'400 Parameter verification failed.\ncontent: invalid format - invalid content type \'bogus\'\npvesm list <storage> [OPTIONS]'
run pvesm list nosuch
is "pvesm list unknown storage" "$ERR" "storage 'nosuch' does not exist"
run pvesh get /nodes/pve/storage --output-format json
has "pvesh storage index" "$OUT" '{"active":1,"avail":98784247808,"content":"images,rootdir","enabled":1,"shared":0,"storage":"local-lvm","total":107374182400,"type":"lvmthin","used":8589934592,"used_fraction":0.08}'
run pvesh get /nodes/pve/storage/local-lvm/content --output-format json
has "pvesh storage content" "$OUT" '"volid":"local-lvm:vm-100-disk-0"'
run pvesh get /nodes/pve/network --output-format json
has "pvesh network bridge" "$OUT" '"iface":"vmbr0","method":"manual","priority":2,"type":"bridge"'
has "pvesh network eth" "$OUT" '"iface":"eno1"'
run pvesh get /nodes/localhost/network --type any_bridge --output-format json
is "pvesh network --type any_bridge" "$(grep -o '"iface":"[a-z0-9]*"' <<<"$OUT")" '"iface":"vmbr0"'
run pvesh get /nodes/pve/network --type nosuch --output-format json
rc "pvesh network bad type" 255
run pvesm path local-lvm:vm-100-disk-0
is "pvesm path" "$OUT" "/dev/pve/vm-100-disk-0"
run pvesm apiinfo
is "pvesm apiinfo" "$OUT" $'APIVER 15\nAPIAGE 6'

# ---------------------------------------------------------------- vzdump
run vzdump
is "vzdump no vmid" "$ERR" $'400 Parameter verification failed.\nvmid: property is missing\nvzdump {<vmid>} [OPTIONS]'
run vzdump 100 --vmid 100
is "vzdump --vmid" "$ERR" $'Unknown option: vmid\n400 unable to parse option\nvzdump {<vmid>} [OPTIONS]'
run vzdump 100 --protected 1
is "vzdump protected needs storage" "$ERR" $'400 Parameter verification failed.\nstorage: missing property required by \'protected\'\nvzdump {<vmid>} [OPTIONS]'
run vzdump 100 --storage local-lvm
rc "vzdump wrong content" 255
is "vzdump wrong content msg" "$ERR" "could not get storage information for 'local-lvm': can't use storage 'local-lvm' for backups - wrong content type"
run vzdump 100 101 --stdout 1
is "vzdump stdout single" "$ERR" "you can only backup a single VM with option --stdout"
run vzdump 999
rc "vzdump missing guest" 255
has "vzdump missing guest log" "$OUT" "ERROR: Backup of VM 999 failed - unable to find VM '999'"
is "vzdump missing guest stderr" "$ERR" "job errors"
mkdir -p "$STATE/dump/local"
for d in 2020_01_01-00_00_00 2020_01_02-00_00_00; do : >"$STATE/dump/local/vzdump-lxc-100-$d.tar.zst"; done
: >"$STATE/dump/local/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst.protected"
echo "lxc.cgroup2.devices.allow: c 10:200 rwm" >>"$STATE/pve/lxc/100.conf"
run vzdump 100 --storage local --compress zstd --notes-template 'built {{guestname}}\nby {{vmid}}' --prune-backups keep-last=1
rc "vzdump" 0
has "vzdump stop mode" "$OUT" $'INFO: status = stopped\nINFO: backup mode: stop\nINFO: ionice priority: 7\nINFO: CT Name: CT100\nINFO: including mount point rootfs (\'/\') in backup'
has "vzdump archive" "$OUT" "INFO: creating vzdump archive '$STATE/dump/local/vzdump-lxc-100-"
has "vzdump prune" "$OUT" $'INFO: prune older backups with retention: keep-last=1\nINFO: removing backup \'local:backup/vzdump-lxc-100-2020_01_02-00_00_00.tar.zst\'\nINFO: pruned 1 backup(s) not covered by keep-retention policy'
has "vzdump done" "$OUT" "INFO: Backup job finished successfully"
BAK=$(cd "$STATE/dump/local" && ls vzdump-lxc-100-2*.tar.zst | grep -v 2020_)
[ -f "$STATE/dump/local/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst" ] && ok || bad "prune keeps protected backup"
[ ! -e "$STATE/dump/local/vzdump-lxc-100-2020_01_02-00_00_00.tar.zst" ] && ok || bad "prune removes old backup"
is "vzdump notes" "$(cat "$STATE/dump/local/$BAK.notes")" $'built CT100\nby 100'
has "vzdump log file" "$(cat "$STATE/dump/local/${BAK%.tar.zst}.log")" "INFO: Starting Backup of VM 100 (lxc)"
case "$(cat "$STATE/pve/lxc/100.conf")" in *lock:*) bad "vzdump lock removed" ;; *) ok ;; esac
run pvesm extractconfig "local:backup/$BAK"
is "pvesm extractconfig" "$OUT" "$(grep -v '^lock' "$STATE/pve/lxc/100.conf")"
run pvesm list local --vmid 100
has "pvesm list backups" "$OUT" "local:backup/$BAK tar.zst backup"
run pvesh get /nodes/pve/storage/local/content --content backup --output-format json
has "backup notes + protected" "$OUT" "\"content\":\"backup\",\"ctime\":$(date -d '2020-01-01 00:00:00' +%s),\"format\":\"tar.zst\",\"protected\":1"
has "backup notes" "$OUT" '"notes":"built CT100","size":'
run pvesm free local:backup/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst
rc "pvesm free protected (exit 0)" 0
is "pvesm free protected msg" "$ERR" "cannot remove protected volume 'backup/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst' on 'local'"
rm "$STATE/dump/local/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst.protected"
run pvesm free local:backup/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst
is "pvesm free" "$OUT" "Removed volume 'local:backup/vzdump-lxc-100-2020_01_01-00_00_00.tar.zst'"
run pvesm free vzdump-lxc-100-2020_01_01-00_00_00.tar.zst
is "pvesm free incomplete" "$ERR" $'400 Parameter verification failed.\nvolume: no storage specified - incomplete volume ID\npvesm free <volume> [OPTIONS]'
run pct start 100
run vzdump 100 --storage local --mode suspend
has "vzdump suspend" "$OUT" $'INFO: status = running\nINFO: CT Name: CT100'
has "vzdump suspend sync" "$OUT" $'INFO: suspending guest'
[ -e "$STATE/running/100" ] && ok || bad "vzdump keeps CT running"
run pct stop 100

# ---------------------------------------------------------------- restore
run pct restore 100 "local:backup/$BAK" --storage local-lvm
rc "restore onto existing" 255
is "restore onto existing msg" "$ERR" "CT 100 already exists on node 'pve'"
run pct restore 105 "local:backup/$BAK"
is "restore default storage" "$ERR" $'400 Parameter verification failed.\nstorage: storage \'local\' does not support container directories\npct restore <vmid> <ostemplate> [OPTIONS]'
run pct restore 105 "local:vztmpl/$TPL" --storage local-lvm
is "restore wrong content" "$ERR" "unable to use volume local:vztmpl/$TPL - content type needs to be 'backup'"
run pct restore 105 "local:backup/vzdump-lxc-105-2020_01_01-00_00_00.tar.zst" --storage local-lvm
rc "restore missing archive" 255
is "restore missing archive msg" "$ERR" "unable to restore CT 105 - can't find file '$STATE/dump/local/vzdump-lxc-105-2020_01_01-00_00_00.tar.zst'"
[ ! -e "$STATE/pve/lxc/105.conf" ] && ok || bad "failed restore leaves no config"
run pct create 105 "local:backup/$BAK" --unique 1
is "unique needs restore" "$ERR" $'400 Parameter verification failed.\nrestore: missing property required by \'unique\'\npct create <vmid> <ostemplate> [OPTIONS]'
run pct restore 105 "local:backup/$BAK" --storage local-lvm --hostname copy --unique 1
rc "restore" 0
is "restore output" "$OUT" "recovering backed-up configuration from 'local:backup/$BAK'
restoring 'local:backup/$BAK' now..
extracting archive '/var/lib/vz/dump/$BAK'
Total bytes read: 10240 (10KiB, 42MiB/s)
merging backed-up and given configuration.."
has "restore merges config" "$(cat "$STATE/pve/lxc/105.conf")" $'hostname: copy\nmemory: 512'
has "restore new volume" "$(cat "$STATE/pve/lxc/105.conf")" "rootfs: local-lvm:vm-105-disk-0,size=8G"
has "restore keeps raw lxc lines" "$(cat "$STATE/pve/lxc/105.conf")" "lxc.cgroup2.devices.allow: c 10:200 rwm"
case "$(grep ^net0 "$STATE/pve/lxc/105.conf")" in *"$(grep -o 'hwaddr=[^,]*' "$STATE/pve/lxc/100.conf")"*) bad "unique gives a new MAC" ;; *) ok ;; esac
run pct start 105
run pct restore 105 "local:backup/$BAK" --storage local-lvm --force 1
is "restore force running" "$ERR" "can't overwrite running container"
run pct stop 105
run pct set 105 --protection 1
run pct restore 105 "local:backup/$BAK" --storage local-lvm --force 1
is "restore force protected" "$ERR" "unable to restore CT 105 - protection mode enabled"
run pct set 105 --protection 0
run pct restore 105 "local:backup/$BAK" --storage local-lvm --force 1
rc "restore force" 0
has "restore force frees old volume" "$OUT" '  Logical volume "vm-105-disk-0" successfully removed.'
has "restore force new volume" "$(cat "$STATE/pve/lxc/105.conf")" "rootfs: local-lvm:vm-105-disk-1,size=8G"
has "restore force takes backup hostname" "$(cat "$STATE/pve/lxc/105.conf")" "hostname: CT100"
run pct destroy 105
rc "destroy restored" 0
sed -i '/^lxc.cgroup2/d' "$STATE/pve/lxc/100.conf"

# ---------------------------------------------------------------- root / sudo
printf '{"state": "%s", "root": false}\n' "$STATE" >"$BIN/fakehost.json"
run pct list
rc "non-root refused" 255
is "non-root msg" "$ERR" "please run as root"
run sudo -n -- pct list
rc "via sudo" 0
has "via sudo output" "$OUT" "CT100"
has "sudo record" "$(tail -2 "$STATE/calls.jsonl" | head -1)" '"prog": "sudo"'
has "via_sudo flag" "$(tail -1 "$STATE/calls.jsonl")" '"via_sudo": true'
echo "lxc.idmap: u 0 100000 1000" | sudo -n tee -a "$STATE/pve/lxc/100.conf" >/dev/null
run sudo -n -l tee
is "sudo -l CMD" "$OUT" "$(command -v tee)"
run sudo -n -l no-such-command
rc "sudo -l unknown" 1
run sudo -n cat "$STATE/pve/lxc/100.conf"
has "sudo tee/cat" "$OUT" "lxc.idmap: u 0 100000 1000"
run sudo -n pct set 100 --onboot 0
run sudo -n pct config 100
has "set keeps tee'd lxc line" "$OUT" $'onboot: 0\nostype: debian\nrootfs: local-lvm:vm-100-disk-0,size=8G\nswap: 512\nlxc.idmap: u 0 100000 1000'

echo "selftest: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

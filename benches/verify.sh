#!/usr/bin/env bash
# Benchmark: `git lxc verify` must not look inside data/. Builds a tree of 40
# containers (a few commits of history, conf/ and bin/ files), then a copy of
# it whose ignored data/ folders hold 120,000 files in all, and times verify
# on both, interleaved. Prints both medians, the ratio full/empty (target
# <= 1.3) and the time per container (target <= 2 ms).
# Usage: benches/verify.sh [containers] [files] [runs]   (builds the release binary first)
set -euo pipefail
n=${1:-40}
files=${2:-120000}
runs=${3:-9}
top=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$top/Cargo.toml"
bin_lxc=$top/target/release/git-lxc
work=$(mktemp -d /tmp/git-lxc-bench-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

mkdir -p "$work/empty"
cd "$work/empty"
git init -q -b main
printf '.env\ndata/\n' > .gitignore
printf 'OPT_DOMAIN=lan\nOPT_TAGS=bench\nTIMEZONE=UTC\n' > defaults
for i in $(seq 1 "$n"); do
    c=ct$i
    mkdir -p "$c/conf" "$c/bin" "$c/data"
    {
        echo "OPT_CTID=$((200 + i))"
        echo "OPT_RAM=256"
        echo "OPT_NET=10.0.$((i / 200)).$((i % 200 + 10))/16"
        echo "APP_PORT=80$(printf %02d "$i")"
        echo 'HOOK_customMounts() { local -n m=$1; m+=("--mp1 /srv/media,mp=/media,ro=1"); }'
    } > "$c/configSettings"
    printf '#!/bin/bash\nset -e\npackage add nginx\npackage install\nenableService nginx\n' > "$c/build-target.sh"
    printf 'ADMIN_PASSWORD=\n' > "$c/.env.example"
    for f in app.conf site.conf users.conf; do echo "# $c $f" > "$c/conf/$f"; done
    printf '#!/bin/sh\necho %s\n' "$c" > "$c/bin/hello"
done
git add -A && git commit -qm "tree of $n containers"
for i in $(seq 1 3 "$n"); do echo "# tuned" >> "ct$i/conf/app.conf"; done
git commit -qam "tune some"
for i in $(seq 2 5 "$n"); do echo "OPT_CORES=2" >> "ct$i/configSettings"; done
git commit -qam "more cores"

# The same repository with full data/ folders.
cp -a "$work/empty" "$work/full"
per=$((files / n))
dirs=30
for i in $(seq 1 "$n"); do
    d=$work/full/ct$i/data
    for s in $(seq 1 $dirs); do mkdir -p "$d/s$s"; done
    (cd "$d" && for s in $(seq 1 $dirs); do
        seq -f "s$s/f%g" 1 $(((per + dirs - 1) / dirs))
    done | head -n "$per" | xargs touch)
done
count=$(find "$work/full" -path '*/data/*' -type f | wc -l)
git -C "$work/full" status --porcelain | grep -q . && { echo "full tree is not clean" >&2; exit 1; }

now_ns() { date +%s%N; }
time_verify() {
    local t0 t1
    t0=$(now_ns)
    "$bin_lxc" -C "$1" verify -q >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    t1=$(now_ns)
    echo $(((t1 - t0) / 1000))
}
# One warm-up run each, then interleaved runs.
time_verify "$work/empty" >/dev/null
time_verify "$work/full" >/dev/null
empty=() full=()
for _ in $(seq 1 "$runs"); do
    empty+=("$(time_verify "$work/empty")")
    full+=("$(time_verify "$work/full")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
me=$(median "${empty[@]}")
mf=$(median "${full[@]}")
echo "containers:              $n"
echo "files in data/:          $count (ignored)"
echo "verify, empty data/:     $(awk -v u="$me" 'BEGIN { printf "%.1f", u / 1000 }') ms (median of $runs)"
echo "verify, full data/:      $(awk -v u="$mf" 'BEGIN { printf "%.1f", u / 1000 }') ms (median of $runs)"
awk -v f="$mf" -v e="$me" 'BEGIN { printf "ratio full/empty:        %.2f (target <= 1.3)\n", f / e }'
awk -v f="$mf" -v n="$n" 'BEGIN { printf "per container:           %.2f ms (target <= 2)\n", f / 1000 / n }'

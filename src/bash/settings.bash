# git-lxc: reads containers' settings files (SPEC §2), or runs a hook (§3)
# after reading one container's files the same way.
#
# Arguments: MODE ROOT [NAME DIR]...
#   MODE `eval`: every container, each in a subshell, results reported;
#   MODE `hook:NAME`: one container, then HOOK_NAME is run.
# File descriptors:
#   3     results, NUL-separated records (git-lxc's stdout pipe):
#           B dump    every variable before any file (bash's own)
#           C name    a container begins
#           P1 dump, P3 dump   before the first and after the last .env
#                     (when there is one)
#           V dump    after configSettings
#           L names   the functions defined, one a line
#           E         the files ran to their end
#           D decl    `declare -F` of the hook: name, line, file
#           M entry   an entry HOOK_customMounts appended
#         A dump is `declare -p` output: every variable, one declaration each.
#   4     what the sourced files print (git-lxc's stderr pipe in eval mode,
#         /dev/null in hook mode), cut into sections by markers \0GL:WHAT\0:
#           ctr:NAME       a container begins
#           src:FILE       the output of sourcing FILE follows
#           chk:LINE:FILE  bash's parse messages for FILE follow; bash counts
#                          their lines LINE more than the file's
#           end:STATUS     the section ended with STATUS
#   1, 2  bash's own messages and the hooks' output (git-lxc's stderr pipe).
__gl_mode=${1%%:*} __gl_hook=${1#*:} __gl_root=$2
shift 2
exec 3>&1 1>&2
# What git-lxc put in the environment; a settings file's `export X=…` adds
# nothing to it (SPEC §7: secrets are never exported to a child).
# A name that came with it but that the files give another value
# (`USER=` in a .env) is no longer exported either.
if [[ $__gl_mode != eval ]]; then
    declare -A __gl_env0=()
    for __gl_x in $(builtin compgen -e); do __gl_env0[$__gl_x]=${!__gl_x}; done
fi
if [[ $__gl_mode == eval ]]; then exec 4>&2; else exec 4>/dev/null; fi

__gl_mark() { builtin printf '\0GL:%s\0' "$1" >&4; }

# Parse FILE the way `bash -n` does, without running it and without a fork:
# after `set -n`, bash reads the rest of eval's text and executes none of it,
# nor anything else in this function; `local -` turns it off again when the
# function returns, with eval's status.
__gl_parse_only() {
    local - __gl_t=()
    [[ -f $1 ]] || return 0
    # mapfile reads a file in blocks (read -d '' reads it byte by byte).
    builtin mapfile -d '' __gl_t <"$1" || :
    __gl_mark "chk:$LINENO:$1"; builtin eval $'set -n\n'"${__gl_t[0]-}"
}
# Whether all the files parse: one subshell tries them in a row, silently,
# and stops at the first that does not. After a failure bash's parser is not
# to be trusted (a bad `$(` even ends the shell), so then each file is
# checked again in a subshell of its own, by __gl_check, which reports.
__gl_all_parse() {
    (
        exec 2>/dev/null 4>/dev/null
        for __gl_f; do __gl_parse_only "$__gl_f" || exit 1; done
        exit 0
    )
}
__gl_check() {
    ((__gl_parsed)) && return 0
    [[ -f $1 ]] || return 0
    (__gl_parse_only "$1")
    __gl_mark "end:$?"
}
# The container files to check in folder $1: configSettings and the build
# script (its legacy name when the new one is absent), in __gl_cf.
__gl_container_files() {
    __gl_cf=("$1/configSettings")
    if [[ -f $1/build-target.sh ]]; then
        __gl_cf+=("$1/build-target.sh")
    elif [[ -f $1/target-bootstrap.sh ]]; then
        __gl_cf+=("$1/target-bootstrap.sh")
    fi
}
# Every variable, as `declare -p` prints it, in record $1 (on stdout: the
# caller sends it to fd 3); git-lxc tells the ones the files defined or
# changed from those bash started with.
__gl_dump() {
    builtin printf '%s\0' "$1"
    builtin declare -p
    builtin printf '\0'
}
# Hooks written for the original script run privileged commands with
# `sudo` and edit the container's config as /etc/pve/lxc/$CTID.conf. In
# HOOK_customMapping that path means $CTCONF (the copy git-lxc appends
# from), and such a command runs as it is: the copy is the user's own
# file. Elsewhere `sudo` is the host's; as root on a host without sudo, it
# runs its command.
# (Defined for hooks only, not while the files are evaluated.)
__gl_define_sudo() {
    sudo() {
        local a args=() copy=0 conf="/etc/pve/lxc/${CTID-}.conf"
        for a; do
            if [[ ${__gl_hook-} == customMapping && -n ${CTCONF-} && $a == *"$conf"* ]]; then
                a=${a//"$conf"/$CTCONF} copy=1
            fi
            args+=("$a")
        done
        local real
        if ((copy == 0)) && real=$(type -P sudo); then
            "$real" "${args[@]}"
        elif ((copy || EUID == 0)); then
            __gl_unsudo "${args[@]}"
        else
            echo "sudo: command not found" >&2
            return 127
        fi
    }
    # A sudo command line run without sudo: its options dropped, `-u USER`
    # through runuser.
    __gl_unsudo() {
        local user=
        while (($#)); do
            case $1 in
                --) shift; break ;;
                -u) user=$2; shift 2 ;;
                -g | -p | -C | -D | -h | -r | -t | -U | -T) shift 2 ;;
                -*) shift ;;
                *) break ;;
            esac
        done
        if [[ -n $user && $user != root && $user != "#0" && $user != "$(id -un)" ]]; then
            runuser -u "$user" -- "$@"
        else
            "$@"
        fi
    }
}
# Run the hook, fd 3 closed to it. customMounts gets the name of the global
# array `mps`, holding the folder's own mounts (bin, conf, data, as
# `--mpN SPEC`, from $__gl_mps, one a line), the original contract: it
# appends to it, directly or through `local -n m=$1`; every entry travels
# back as an M record.
__gl_run_hook() {
    shopt -s extdebug
    builtin printf 'D\0' >&3
    builtin declare -F "HOOK_$__gl_hook" >&3 || :
    builtin printf '\0' >&3
    shopt -u extdebug
    local __gl_x
    for __gl_x in $(builtin compgen -e); do
        [[ -v __gl_env0[$__gl_x] && ${__gl_env0[$__gl_x]} == "${!__gl_x}" ]] ||
            builtin export -n "$__gl_x"
    done
    __gl_define_sudo
    export -f sudo __gl_unsudo
    export __gl_hook
    if [[ $__gl_hook == customMounts ]]; then
        unset mps
        declare -ga mps=()
        [[ -n ${__gl_mps-} ]] && mapfile -t mps <<<"$__gl_mps"
        unset __gl_mps
        HOOK_customMounts mps 3>&-
        local __gl_rc=$? __gl_e
        ((__gl_rc == 0)) || return "$__gl_rc"
        for __gl_e in "${mps[@]}"; do builtin printf 'M\0%s\0' "$__gl_e" >&3; done
        return 0
    fi
    "HOOK_$__gl_hook" 3>&-
}

# One compound command, so bash has parsed all of it before the first file.
{
__gl_parsed=1
if [[ $__gl_mode == eval ]]; then
    # Bash's own OSTYPE (linux-gnu) is also a setting's plain name, as in
    # the original script: only what the files assign counts.
    unset -v OSTYPE
    __gl_dump B >&3
    # Bash's own variables, unset before the last dump so that it holds
    # little more than the files' (git-lxc leaves out the rest by name).
    # What git-lxc's environment gave (USER, HOME…) stays: a file may set
    # it, and git-lxc tells by its value. (One string: every dump holds it.)
    # The names, by first letter: compgen would need a process substitution,
    # that is a fork.
    __gl_n=(${!A@} ${!B@} ${!C@} ${!D@} ${!E@} ${!F@} ${!G@} ${!H@} ${!I@}
        ${!J@} ${!K@} ${!L@} ${!M@} ${!N@} ${!O@} ${!P@} ${!Q@} ${!R@} ${!S@}
        ${!T@} ${!U@} ${!V@} ${!W@} ${!X@} ${!Y@} ${!Z@} ${!a@} ${!b@} ${!c@}
        ${!d@} ${!e@} ${!f@} ${!g@} ${!h@} ${!i@} ${!j@} ${!k@} ${!l@} ${!m@}
        ${!n@} ${!o@} ${!p@} ${!q@} ${!r@} ${!s@} ${!t@} ${!u@} ${!v@} ${!w@}
        ${!x@} ${!y@} ${!z@} ${!_@})
    __gl_base=
    for __gl_v in "${__gl_n[@]}"; do
        # (Exported: from git-lxc's environment. Read-only: cannot be unset.)
        [[ $__gl_v == __gl_* || ${!__gl_v@a} == *[rx]* ]] || __gl_base+=" $__gl_v"
    done
    unset -v __gl_n __gl_v
    __gl_all=("$__gl_root/defaults" "$__gl_root"/lib/*.sh)
    for ((__gl_i = 2; __gl_i <= $#; __gl_i += 2)); do
        __gl_container_files "${!__gl_i}"
        __gl_all+=("${__gl_cf[@]}")
    done
    __gl_all_parse "${__gl_all[@]}" || __gl_parsed=0
    unset -v __gl_all
    __gl_check "$__gl_root/defaults"
    for __gl_lib in "$__gl_root"/lib/*.sh; do __gl_check "$__gl_lib"; done
fi
__gl_status=0
while [[ $# -ge 2 ]]; do
    __gl_name=$1 __gl_dir=$2
    shift 2
    # (The parent does as little as it can between two forks: every page
    # it touches after one costs a fault.)
    (
        __gl_mark "ctr:$__gl_name"
        builtin printf 'C\0%s\0' "$__gl_name" >&3
        if [[ $__gl_mode == eval ]] && ((!__gl_parsed)); then
            __gl_container_files "$__gl_dir"
            for __gl_f in "${__gl_cf[@]}"; do __gl_check "$__gl_f"; done
        fi
        cd "$__gl_dir" || exit 1
        # What the files print goes to fd 4 (the stream; in hook mode,
        # nowhere), and they read nothing: set once for the subshell, as a
        # redirection on each command costs bash a dozen system calls. (So
        # a file's own `exec >…` lasts for the files after it, as when the
        # original script sourced them.) A hook gets stdout and stderr back.
        [[ $__gl_mode == hook ]] && exec 5>&1 6>&2
        exec </dev/null >&4 2>&4
        ROOT_PATH=$__gl_dir ROOT_DIR=$__gl_name
        # The sourcing order (SPEC §2), later wins.
        __gl_files=("$__gl_root/defaults" "$__gl_root/.env" "$__gl_dir/.env" "$__gl_dir/configSettings")
        # Secrets are what the .env files (1 and 2) define or change.
        __gl_envs=0
        [[ $__gl_mode == eval && (-f ${__gl_files[1]} || -f ${__gl_files[2]}) ]] && __gl_envs=1
        __gl_done=0
        for __gl_i in 0 1 2 3; do
            ((__gl_envs)) && [[ $__gl_i == [13] ]] && __gl_dump "P$__gl_i" >&3
            __gl_f=${__gl_files[__gl_i]}
            if [[ -f $__gl_f ]]; then
                __gl_mark "src:$__gl_f"
                . "$__gl_f" 3>&-
                __gl_mark "end:$?"
            fi
            __gl_done=$((__gl_i + 1))
        done
        # A top-level `break` in a file ends the loop early: the files did
        # not run to their end.
        [[ $__gl_done == 4 ]] || exit 1
        IFS=$' \t\n'
        if [[ $__gl_mode == hook ]]; then
            exec >&5 2>&6 5>&- 6>&-
            __gl_run_hook
            exit
        fi
        set +eu
        # shellcheck disable=SC2086 # the names, split
        builtin unset -v $__gl_base "${!__gl_@}" 2>/dev/null || :
        {
            __gl_dump V
            builtin printf 'L\0'
            builtin compgen -A function
            builtin printf '\0E\0'
        } >&3
    )
    __gl_status=$?
    __gl_mark "end:$__gl_status"
done
[[ $__gl_mode == hook ]] && exit "$__gl_status"
exit 0
}

# Evaluates the settings files of every container in one bash process.
# Arguments: STDERR_DIR ROOT_DIR [NAME DIR]...
# Output on stdout: NUL-separated records, per container:
#   C name | V name value | A name declare-text | S name value | F function
#   N file message (bash -n syntax error) | X file status | E
__gl_errdir=$1
__gl_root=$2
shift 2
__gl_check() {
    local out
    if ! out=$(bash -n "$1" 2>&1); then
        printf 'N\0%s\0%s\0' "$1" "$out"
    fi
}
__gl_source() {
    [ -f "$1" ] || return 0
    local __gl_rc
    # shellcheck disable=SC1090
    . "$1"
    __gl_rc=$?
    [ "$__gl_rc" -ge 2 ] && printf 'X\0%s\0%s\0' "$1" "$__gl_rc" >&9
    return 0
}
# The declaration of variable $1 in __gl_d; forks only for arrays, which
# ${var@A} cannot print whole.
__gl_decl() {
    case ${!1@a} in
        *[aA]*) __gl_d=$(declare -p "$1" 2>/dev/null) ;;
        *) __gl_d=${!1@A} ;;
    esac
}
# Remember the current value of every variable so the ones a .env file
# defines or changes can be reported as secrets.
__gl_snapshot() {
    local __gl_v
    __gl_snap=()
    for __gl_v in $(compgen -v); do
        case $__gl_v in __gl_*) continue ;; esac
        [ -n "${__gl_base[$__gl_v]-}" ] && continue
        __gl_decl "$__gl_v"
        __gl_snap[$__gl_v]=$__gl_d
    done
}
__gl_secrets() {
    local __gl_v __gl_now
    for __gl_v in $(compgen -v); do
        case $__gl_v in __gl_*|FUNCNAME|BASH_*) continue ;; esac
        [ -n "${__gl_base[$__gl_v]-}" ] && continue
        __gl_decl "$__gl_v"
        if [ "${__gl_snap[$__gl_v]-}" != "$__gl_d" ]; then
            if [[ ${!__gl_v@a} == *[aA]* ]]; then
                local -n __gl_ref=$__gl_v
                local __gl_e
                for __gl_e in "${__gl_ref[@]}"; do
                    printf 'S\0%s\0%s\0' "$__gl_v" "$__gl_e" >&9
                done
                unset -n __gl_ref
            else
                printf 'S\0%s\0%s\0' "$__gl_v" "${!__gl_v}" >&9
            fi
        fi
    done
}
__gl_root_defaults=$__gl_root/defaults
[ -f "$__gl_root_defaults" ] && __gl_check "$__gl_root_defaults"
for __gl_lib in "$__gl_root"/lib/*.sh; do
    [ -f "$__gl_lib" ] && __gl_check "$__gl_lib"
done
while [ $# -ge 2 ]; do
    __gl_name=$1
    __gl_dir=$2
    shift 2
    printf 'C\0%s\0' "$__gl_name"
    __gl_check "$__gl_dir/configSettings"
    for __gl_f in build-target.sh target-bootstrap.sh; do
        if [ -f "$__gl_dir/$__gl_f" ]; then
            __gl_check "$__gl_dir/$__gl_f"
            break
        fi
    done
    (
        exec 9>&1 2>"$__gl_errdir/$__gl_name.err" </dev/null
        cd "$__gl_dir" || exit 1
        ROOT_PATH=$__gl_dir
        ROOT_DIR=$__gl_name
        declare -A __gl_base=()
        for __gl_v in $(compgen -v); do __gl_base[$__gl_v]=1; done
        declare -A __gl_snap=()
        __gl_source "$__gl_root/defaults"
        __gl_snapshot
        __gl_source "$__gl_root/.env"
        __gl_source "$__gl_dir/.env"
        __gl_secrets
        __gl_source "$__gl_dir/configSettings"
        IFS=$' \t\n'
        for __gl_v in $(compgen -v); do
            case $__gl_v in __gl_*|_|BASH_REMATCH|PIPESTATUS|FUNCNAME|OPTARG|OPTIND|REPLY|COLUMNS|LINES) continue ;; esac
            [ -n "${__gl_base[$__gl_v]-}" ] && continue
            if [[ ${!__gl_v@a} == *[aA]* ]]; then
                __gl_decl "$__gl_v"
                printf 'A\0%s\0%s\0' "$__gl_v" "$__gl_d" >&9
            else
                printf 'V\0%s\0%s\0' "$__gl_v" "${!__gl_v}" >&9
            fi
        done
        for __gl_v in $(compgen -A function); do
            case $__gl_v in __gl_*) continue ;; esac
            printf 'F\0%s\0' "$__gl_v" >&9
        done
        printf 'E\0' >&9
    ) || :  # a file that exits is reported through the missing E record
done

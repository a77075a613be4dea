# `git lxc <TAB>`: git's completion calls _git_lxc with its own `words` and
# `cword`, and `__git_cmd_idx` the index of "lxc" in `words` (older git
# has no __git_cmd_idx: then look for "lxc"). git's own -C options are
# handed on, so names come from the tree git would work in.
_git_lxc() {
    local i idx=${__git_cmd_idx-}
    if [[ -z $idx ]]; then
        for ((i = 1; i < cword; i++)); do
            if [[ ${words[i]} == lxc ]]; then idx=$i; break; fi
        done
    fi
    [[ -n $idx ]] || return 0
    local -a __git_lxc_git_opts=()
    for ((i = 1; i < idx; i++)); do
        if [[ ${words[i]} == -C ]]; then __git_lxc_git_opts+=(-C "${words[i + 1]}"); fi
    done
    local -a COMP_WORDS=(git-lxc "${words[@]:idx+1}")
    local COMP_CWORD=$((cword - idx))
    # git completes with -o nospace and adds its own spaces; we add none.
    compopt +o nospace 2>/dev/null
    __git_lxc_complete git-lxc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}


# The words only the tree knows, from `git-lxc __complete` (it lists
# folders and evaluates nothing): -C and --root as typed are handed on.
_git_lxc_tree() {
    local -a pass
    local i
    for ((i = 2; i < CURRENT; i++)); do
        if [[ $words[i] == (-C|--root) ]]; then pass+=($words[i] $words[i+1]); fi
    done
    git-lxc $pass __complete $1 2>/dev/null
}
_git_lxc_names() {
    local -a names
    names=(${(f)"$(_git_lxc_tree names)"})
    _describe -t containers container names
}
_git_lxc_settings() {
    local -a settings
    settings=(${(f)"$(_git_lxc_tree settings)"})
    compadd -S '' -a settings
}

# The words only the tree knows: container names after a subcommand that
# takes them, setting names after --set. Asked from `git-lxc __complete`,
# which lists folders and evaluates nothing.
__git_lxc_one=" @ONE@ "
__git_lxc_many=" @MANY@ "
__git_lxc_valued=" @VALUED@ "
__git_lxc_tree_words() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local -a pass=("${__git_lxc_git_opts[@]}")
    local i w sub= npos=0 dashdash=
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        [[ -n $dashdash ]] && continue
        if [[ $w == -C || $w == --root ]]; then
            pass+=("$w" "${COMP_WORDS[i + 1]}")
            ((i++))
        elif [[ $w == -- ]]; then
            dashdash=1
        elif [[ $__git_lxc_valued == *" $w "* ]]; then
            ((i++))
        elif [[ $w != -* ]]; then
            if [[ -z $sub ]]; then sub=$w; else ((npos++)); fi
        fi
    done
    if [[ $prev == --set || ($prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --set) ]]; then
        COMPREPLY=($(compgen -W "$(git-lxc "${pass[@]}" __complete settings 2>/dev/null)" -- "$cur"))
        compopt -o nospace 2>/dev/null
        return 0
    fi
    # After `--` comes a command for inside the container: nothing to offer.
    if [[ -n $dashdash ]]; then COMPREPLY=(); return 0; fi
    [[ $cur == -* || -z $sub ]] && return 0
    [[ $__git_lxc_valued == *" $prev "* ]] && return 0
    if [[ $__git_lxc_one == *" $sub "* ]]; then
        ((npos == 0)) || return 0
    elif [[ $__git_lxc_many != *" $sub "* ]]; then
        return 0
    fi
    # Names, not options: `-<TAB>` lists those.
    COMPREPLY=($(compgen -W "$(git-lxc "${pass[@]}" __complete names 2>/dev/null)" -- "$cur"))
}
__git_lxc_complete() {
    @FUNCTION@ "$@"
    __git_lxc_tree_words
}

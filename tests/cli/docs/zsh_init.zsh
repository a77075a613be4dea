# Read first by the interactive zsh of the completion tests: compinit, and
# a compadd that prints what it is handed, then exits when the completion
# is done.
PROMPT=''
autoload -Uz compinit
compinit -u -d $HOME/.zcompdump
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
    if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
    typeset -a __hits
    builtin compadd -A __hits "$@"
    local h
    for h in $__hits; do print -r -- "CANDIDATE:$h"; done
}
__capture_end() { print -r -- "CAPTURE:END"; exit }
comppostfuncs=(__capture_end)
bindkey '^I' complete-word
print -r -- CAPTURE:READY

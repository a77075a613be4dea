
# The words only the tree knows, from `git-lxc __complete` (it lists
# folders and evaluates nothing): -C and --root as typed are handed on.
function __fish_git_lxc_tree
    set -l cmd (commandline -opc)
    set -e cmd[1]
    set -l pass
    while set -q cmd[2]
        if contains -- $cmd[1] -C --root
            set -a pass $cmd[1] $cmd[2]
            set -e cmd[1]
        end
        set -e cmd[1]
    end
    git-lxc $pass __complete $argv 2>/dev/null
end

# Whether the word being completed is a container name: after a subcommand
# in $argv[2..], before `--`, and (for `one`) the first such word.
function __fish_git_lxc_wants_name -a how
    set -l cmd (commandline -opc)
    set -e cmd[1]
    set -l valued @VALUED@
    set -l sub
    set -l words 0
    while set -q cmd[1]
        set -l w $cmd[1]
        set -e cmd[1]
        if test "$w" = --
            return 1
        else if contains -- $w $valued
            set -e cmd[1]
        else if not string match -q -- '-*' $w
            if test -z "$sub"
                set sub $w
            else
                set words (math $words + 1)
            end
        end
    end
    contains -- "$sub" $argv[2..]
    or return 1
    test $how = many -o $words -eq 0
end

complete -c git-lxc -n "__fish_git_lxc_wants_name one @ONE@" -f -a "(__fish_git_lxc_tree names)" -d container
complete -c git-lxc -n "__fish_git_lxc_wants_name many @MANY@" -f -a "(__fish_git_lxc_tree names)" -d container

# `git lxc <TAB>`: what `git-lxc <TAB>` offers for the same words (git's
# -C handed on). fish 3.7 and later find git-* commands themselves; 3.6
# looks for a command named `git-lxc`, hence this.
function __fish_git_lxc_after_git
    set -l cmd (commandline -opc)
    set -e cmd[1]
    set -l pass
    while set -q cmd[1]
        switch $cmd[1]
            case lxc
                set -e cmd[1]
                printf '%s\n' $pass
                printf '%s\n' $cmd
                return 0
            case -C -c --git-dir --work-tree --namespace
                test $cmd[1] = -C; and set -a pass -C $cmd[2]
                set -e cmd[1]
            case '-*'
            case '*'
                return 1
        end
        set -e cmd[1]
    end
    return 1
end

function __fish_git_lxc_from_git
    set -l rest (__fish_git_lxc_after_git)
    complete -C "git-lxc $rest "(commandline -ct)
end

complete -c git -n "__fish_git_lxc_after_git >/dev/null" -f -a "(__fish_git_lxc_from_git)"

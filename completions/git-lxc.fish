# fish completion for git-lxc.
# Generated from the CLI definition; do not edit. Regenerate with
#     cargo xtask docs

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_git_lxc_global_optspecs
    string join \n C= root= color= q/quiet v/verbose h/help V/version
end

function __fish_git_lxc_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_git_lxc_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_git_lxc_using_subcommand
    set -l cmd (__fish_git_lxc_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c git-lxc -n "__fish_git_lxc_needs_command" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_needs_command" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_needs_command" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_needs_command" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "init" -d 'Make the current repository ready: root folder, `.gitignore` entries for `.env` and `data/`, and a root `defaults` file with commented settings'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "new" -d 'Scaffold a new container folder that passes `git lxc verify` as created'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "verify" -d 'Check the tree offline: settings, secrets hygiene, symlinks, duplicates, bash syntax'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "plan" -d 'Print every step a build of NAME would run, without changing the host'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "build" -d 'Create a container that does not exist yet from its folder'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "adopt" -d 'Take over a container that the tree describes but git-lxc did not build (the original build script built it, or a person did), without rebuilding it'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "rebuild" -d 'Destroy and re-create containers from their folders (build them if absent)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "destroy" -d 'Stop and destroy a container built from NAME; `data/` is never touched'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "enter" -d 'Open a shell in the container built from NAME (`pct enter`)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "start" -d 'Start the container built from NAME (`pct start`)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "stop" -d 'Shut the container built from NAME down cleanly (`pct shutdown`), or stop it at once with `--force` (`pct stop`)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "restart" -d 'Reboot the container built from NAME (`pct reboot`), or start it when it is stopped'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "exec" -d 'Run a command inside the container built from NAME (`pct exec`)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "status" -d 'Show each container: CTID, state, the commit it was built from and its subject, how long ago, whether its folder changed since, and its IP'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "diff" -d 'Show what changed in a container\'s folder (and the root `defaults` and `lib/`) since the commit it was built from, through git\'s pager'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "logs" -d 'Print a container\'s saved build log (the latest, or the Nth newest)'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "history" -d 'Show a container\'s builds, rollbacks and adoptions, newest first, from the git notes under `refs/notes/lxc`'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "rollback" -d 'Restore the container built from NAME from the backup taken before its last rebuild (or the one `--to` names), replacing the current one'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "config" -d 'Show what NAME\'s files resolve to, without a host: every setting\'s value and where it was set (`FILE:LINE`, `--set` or `default`), the context variables (values from `.env` masked), the hooks and when they run, the files a build reads, and the mounts it makes'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "doctor" -d 'Check the host before a first build: tools, privileges, storages, bridges, templates, id maps, mount sources and git'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "install-docs" -d 'Install the man pages and shell completions for this user'
complete -c git-lxc -n "__fish_git_lxc_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand init" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -l os -d 'Operating system template family' -r -f -a "alpine\t''
debian\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand new" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -l format -d 'Output format' -r -f -a "human\t'Readable report on stdout (the summary on stderr)'
json\t'JSON array of findings on stdout'
github\t'GitHub Actions annotations on stdout'"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -l strict -d 'Treat warnings as errors'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand verify" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l set -d 'Override a setting for this build (repeatable), e.g. `--set RAM=512`' -r -f -a "(__fish_git_lxc_tree settings)"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l json -d 'Print the plan as JSON on stdout: every step with the argv of each command'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l allow-dirty -d 'Build from uncommitted changes; the record then says `dirty`'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l force -d 'Replace a container with the chosen CTID even though git-lxc did not build it (or built it from another folder)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -l upgrade -d 'Move to the newest local release of the OS type; without it a rebuild keeps the release the container was built on'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand plan" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l set -d 'Override a setting for this build (repeatable), e.g. `--set RAM=512`' -r -f -a "(__fish_git_lxc_tree settings)"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l allow-dirty -d 'Build from uncommitted changes; the record then says `dirty`'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l force -d 'Replace a container with the chosen CTID even though git-lxc did not build it (or built it from another folder)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -l upgrade -d 'Move to the newest local release of the OS type; without it a rebuild keeps the release the container was built on'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand build" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -l commit -d 'The commit the containers were built from, for their record (default: HEAD)' -r
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -l all -d 'Every container folder that names a container git-lxc did not build'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s y -l yes -d 'Do not ask for confirmation'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand adopt" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l set -d 'Override a setting for this build (repeatable), e.g. `--set RAM=512`' -r -f -a "(__fish_git_lxc_tree settings)"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l changed -d 'Rebuild every built container whose folder changed since its recorded commit'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l all -d 'Rebuild (or build) every container of the tree'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l keep-going -d 'Go on with the next container after a failure'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l dry-run -d 'Print the plan instead of running it'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s y -l yes -d 'Do not ask for confirmation'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l allow-dirty -d 'Build from uncommitted changes; the record then says `dirty`'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l force -d 'Replace a container with the chosen CTID even though git-lxc did not build it (or built it from another folder)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -l upgrade -d 'Move to the newest local release of the OS type; without it a rebuild keeps the release the container was built on'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rebuild" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s y -l yes -d 'Do not ask for confirmation'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -l force -d 'Destroy even if the container\'s record names another folder or none'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand destroy" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand enter" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand start" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -l timeout -d 'Seconds to wait for a clean shutdown' -r
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -l force -d 'Stop it at once (`pct stop`) instead of asking it to shut down'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand stop" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand restart" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand exec" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -l json -d 'Print a JSON array on stdout instead of the table'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -l exit-code -d 'Exit 1 when any container is out of date, uncommitted, failed, absent, orphaned or not managed (for cron and CI)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand status" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand diff" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -l list -d 'List the saved logs with date, commit, result and duration'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s f -l follow -d 'Follow the latest log while its build runs, until the build ends'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand logs" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -l json -d 'Print a JSON array on stdout instead of the table'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand history" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -l to -d 'The backup to restore: its volume id, or the commit (12 hex or more) its build came from, as `git lxc history` lists them' -r
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s y -l yes -d 'Do not ask for confirmation'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -l set -d 'Override a setting as a build would (repeatable), e.g. `--set RAM=512`' -r -f -a "(__fish_git_lxc_tree settings)"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -l json -d 'Print one JSON object on stdout instead of the report'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -s h -l help -d 'Print help'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand config" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -l json -d 'Print a JSON array of the problems on stdout (`check`, `message`, `fix`, `containers`)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -l prefix -d 'Install under DIR/share/{man,bash-completion,fish,zsh} instead' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand install-docs" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -s C -d 'Run as if git-lxc was started in PATH instead of the current folder' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -l root -d 'The folder holding the container folders (overrides `git config lxc.root`)' -r -F
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -l color -d 'When to use colours; `NO_COLOR` in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -s q -l quiet -d 'Print only errors and machine output'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -s v -l verbose -d 'Print every host command as it runs'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "init" -d 'Make the current repository ready: root folder, `.gitignore` entries for `.env` and `data/`, and a root `defaults` file with commented settings'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "new" -d 'Scaffold a new container folder that passes `git lxc verify` as created'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "verify" -d 'Check the tree offline: settings, secrets hygiene, symlinks, duplicates, bash syntax'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "plan" -d 'Print every step a build of NAME would run, without changing the host'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "build" -d 'Create a container that does not exist yet from its folder'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "adopt" -d 'Take over a container that the tree describes but git-lxc did not build (the original build script built it, or a person did), without rebuilding it'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "rebuild" -d 'Destroy and re-create containers from their folders (build them if absent)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "destroy" -d 'Stop and destroy a container built from NAME; `data/` is never touched'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "enter" -d 'Open a shell in the container built from NAME (`pct enter`)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "start" -d 'Start the container built from NAME (`pct start`)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "stop" -d 'Shut the container built from NAME down cleanly (`pct shutdown`), or stop it at once with `--force` (`pct stop`)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "restart" -d 'Reboot the container built from NAME (`pct reboot`), or start it when it is stopped'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "exec" -d 'Run a command inside the container built from NAME (`pct exec`)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "status" -d 'Show each container: CTID, state, the commit it was built from and its subject, how long ago, whether its folder changed since, and its IP'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "diff" -d 'Show what changed in a container\'s folder (and the root `defaults` and `lib/`) since the commit it was built from, through git\'s pager'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "logs" -d 'Print a container\'s saved build log (the latest, or the Nth newest)'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "history" -d 'Show a container\'s builds, rollbacks and adoptions, newest first, from the git notes under `refs/notes/lxc`'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "rollback" -d 'Restore the container built from NAME from the backup taken before its last rebuild (or the one `--to` names), replacing the current one'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "config" -d 'Show what NAME\'s files resolve to, without a host: every setting\'s value and where it was set (`FILE:LINE`, `--set` or `default`), the context variables (values from `.env` masked), the hooks and when they run, the files a build reads, and the mounts it makes'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "doctor" -d 'Check the host before a first build: tools, privileges, storages, bridges, templates, id maps, mount sources and git'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "install-docs" -d 'Install the man pages and shell completions for this user'
complete -c git-lxc -n "__fish_git_lxc_using_subcommand help; and not __fish_seen_subcommand_from init new verify plan build adopt rebuild destroy enter start stop restart exec status diff logs history rollback config doctor install-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

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
    set -l valued --color --commit --format --os --prefix --root --set --timeout --to -C
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

complete -c git-lxc -n "__fish_git_lxc_wants_name one plan build destroy enter start stop restart exec diff logs history rollback config" -f -a "(__fish_git_lxc_tree names)" -d container
complete -c git-lxc -n "__fish_git_lxc_wants_name many verify adopt rebuild status doctor" -f -a "(__fish_git_lxc_tree names)" -d container

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

# Type $LINE and TAB into an interactive zsh in a pseudo-terminal (its
# fpath starting with $FPATH_DIR, $INIT read first) and print the
# candidates; exit 3 if the completion did not end.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
local line out
zpty -w z "fpath=($FPATH_DIR \$fpath); source $INIT"
while zpty -r z line; do [[ $line == *CAPTURE:READY* ]] && break; done
zpty -w -n z "$LINE"$'\t'
while zpty -r z line; do out+=$line; done
for line in ${(f)${out//$'\r'/}}; do
    [[ $line == *CAPTURE:END* ]] && exit 0
    [[ $line == *CANDIDATE:* ]] && print -r -- ${line##*CANDIDATE:}
done
exit 3

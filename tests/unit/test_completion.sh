#!/usr/bin/env bash
# completion/iosupctl.bash: verbs, options, keys, and domain ids from
# "iosupctl --json domains" (a stand-in iosupctl here). bash-completion's
# _init_completion is stubbed with the little of it the script uses.
# Usage: test_completion.sh COMPLETION-SCRIPT
set -euo pipefail
script=$1
dir=$(mktemp -d /tmp/test-completion.XXXXXX)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/iosupctl" <<'FAKE'
#!/bin/sh
echo '{"version":1,"ok":true,"domains":[{"domid":0,"name":"Domain-0"},{"domid":12,"name":null}]}'
FAKE
chmod +x "$dir/iosupctl"
PATH=$dir:$PATH

_init_completion() {
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
}
compopt() { :; }
_filedir() { COMPREPLY=(FILES); }
# shellcheck source=/dev/null
. "$script"

# expect "LINE" WORDS...: completing the last word of LINE gives WORDS.
expect() {
	local line=$1 got
	shift
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_iosupctl
	got="${COMPREPLY[*]}"
	echo "'$line' -> $got"
	[ "$got" = "$*" ] || { echo "FAIL: expected '$*'" >&2; exit 1; }
}

expect "iosupctl s" status show
expect "iosupctl --" --socket --json --help --version
expect "iosupctl --socket " FILES
expect "iosupctl show " 0 12
expect "iosupctl --socket /x explain 1" 12
expect "iosupctl show 0 " ""
expect "iosupctl policy " get set unset
expect "iosupctl policy unset 3 m" mode min_pages max_pages
expect "iosupctl policy set " default 0 12
expect "iosupctl policy set 3 m" mode= min_pages= max_pages=
expect "iosupctl policy set 3 mode=o" observe off
expect "iosupctl top -" --batch -n -d --json --help
echo PASS

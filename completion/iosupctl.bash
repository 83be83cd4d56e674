# bash completion for iosupctl(8)

# Domain ids iosupd manages, if it answers (quietly otherwise).
_iosupctl_domids()
{
	local socket=$1
	iosupctl ${socket:+--socket "$socket"} --json domains 2>/dev/null |
		grep -o '"domid":[0-9]*' | cut -d: -f2
}

_iosupctl()
{
	local cur prev words cword
	# -n =: "mode=o" is one word here; bash itself still replaces only
	# what follows the '=', so values are offered without the key.
	_init_completion -n = || return

	local verbs="status domains show top explain policy reload pause resume"
	local keys="mode= min_pages= max_pages= target_flush_rate="
	local socket= verb= i nargs=0

	# The verb is the first word that is not a global option or its argument.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--socket) socket=${words[i + 1]}; i=$((i + 1)) ;;
		-*) ;;
		*)
			if [[ -z $verb ]]; then verb=${words[i]}; else nargs=$((nargs + 1)); fi
			;;
		esac
	done

	if [[ $prev == --socket ]]; then
		_filedir
		return
	fi
	if [[ -z $verb ]]; then
		COMPREPLY=($(compgen -W "$verbs --socket --json --help --version" -- "$cur"))
		return
	fi

	case $verb in
	show | explain)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		elif ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_iosupctl_domids "$socket")" -- "$cur"))
		fi
		;;
	top)
		case $prev in
		-n | -d) return ;;
		esac
		COMPREPLY=($(compgen -W "--batch -n -d --json --help" -- "$cur"))
		;;
	policy)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "get set unset" -- "$cur"))
		elif ((nargs == 1)); then
			COMPREPLY=($(compgen -W "default $(_iosupctl_domids "$socket")" -- "$cur"))
		elif [[ ${words[i - nargs]} == set || " ${words[*]} " == *" set "* ]]; then
			case $cur in
			mode=*) COMPREPLY=($(compgen -W "enforce observe off" -- "${cur#mode=}")) ;;
			*)
				COMPREPLY=($(compgen -W "$keys" -- "$cur"))
				compopt -o nospace
				;;
			esac
		elif [[ " ${words[*]} " == *" unset "* ]]; then
			COMPREPLY=($(compgen -W "${keys//=/}" -- "$cur"))
		fi
		;;
	*)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		;;
	esac
} && complete -F _iosupctl iosupctl

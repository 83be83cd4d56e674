#!/usr/bin/env bash
# The kernel side in kernel style: scripts/checkpatch.pl --strict of the
# pinned source (the tree build.sh builds) on every patch the series file
# names, and on the module's and the client's sources as files (not the
# ABI headers in include/, which userspace builds too: checkpatch asks
# them for BIT() and u64, which it has not). Anything it
# says fails, with one exception stated here: checkpatch asks of every new
# file whether MAINTAINERS needs updating (FILE_PATH_CHANGES), so that
# warning is left to this script, which checks that each file the series
# adds falls under a MAINTAINERS F: directory already.
# Ends with "checkpatch: PASS" (exit 0) or "checkpatch: FAIL" (exit 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/vm/lib.sh"
need_root

kbuild=$("$here/build.sh" --flavour prod | sed -n 's/^KBUILD_DIR=//p')
src=$(readlink -f "$kbuild/source" 2>/dev/null)
checkpatch=$src/scripts/checkpatch.pl
[ -f "$checkpatch" ] && [ -f "$src/MAINTAINERS" ] ||
	die "no checkpatch.pl or MAINTAINERS in the kernel source '$src'"

failed=0
fail() { echo "checkpatch: FAIL: $*"; failed=1; }
# run NAME ARGS...: checkpatch --strict, its verdict on NAME.
run() {
	local name=$1 out
	shift
	# From a scratch directory: given a path inside a git work tree,
	# checkpatch reads the file in git's view, not as a patch.
	out=$(cd /tmp && perl "$checkpatch" --strict --no-tree --terse --no-summary \
		--ignore FILE_PATH_CHANGES "$@" 2>&1) && [ -z "$out" ] &&
		echo "  ok   $name" || fail "$name: ${out:-checkpatch exited non-zero}"
}

series=$here/patches/series
n=0
while read -r p; do
	run "$p" - <"$here/patches/$p"
	n=$((n + 1))
	# The files it adds, each under a directory MAINTAINERS names.
	while read -r f; do
		# The most specific one: X86 ARCHITECTURE's arch/x86/ covers
		# much that a narrower entry names.
		covered=$(awk -v f="$f" '$1 == "F:" && substr($2, length($2)) == "/" &&
			index(f, $2) == 1 && length($2) > length(best) { best = $2 }
			END { print best }' "$src/MAINTAINERS")
		[ -n "$covered" ] && echo "  ok   $p adds $f, under MAINTAINERS' $covered" ||
			fail "$p adds $f, which no MAINTAINERS F: directory covers"
	done < <(awk '/^diff --git / { f = substr($4, 3) } /^new file mode/ { print f }' "$here/patches/$p")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
[ "$n" -gt 0 ] || fail "$series names no patch"
for f in "$here"/iosup/*.[ch] "$here"/tools/*.c; do
	run "${f#"$here"/}" -f "$f"
done

[ $failed -eq 0 ] && { echo "checkpatch: PASS ($n patches, the module and the client)"; exit 0; }
echo "checkpatch: FAIL"
exit 1

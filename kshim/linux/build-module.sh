#!/usr/bin/env bash
# Builds the iosup module (kshim/linux/iosup/) against the kernel that
# build.sh builds, and prints the path of iosup.ko, for run.sh --extra-ko.
# Cached by a hash of the module's sources, its ABI header and the kernel.
set -euo pipefail
KSHIM_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KSHIM_DIR/../../tests/vm/lib.sh"

# usage: build-module.sh [--flavour debug|prod]  (the kernel's, see build.sh)
flavour=debug
case ${1:-} in
--flavour) flavour=${2:-} ;;
'') ;;
*) die "usage: build-module.sh [--flavour debug|prod]" ;;
esac

uapi=$SRC_ROOT/include/uapi/linux/iosup.h
xs=$SRC_ROOT/include/xen/iosup-xenstore.h
inputs=$("$KSHIM_DIR/build.sh" --flavour "$flavour")
kbuild=$(sed -n 's/^KBUILD_DIR=//p' <<<"$inputs")
kernel=$(sed -n 's/^KERNEL_IMAGE=//p' <<<"$inputs")
[ -d "$kbuild" ] || die "build.sh printed no KBUILD_DIR"

key=$( { hash_of "$KSHIM_DIR/iosup" "$uapi" "$xs" "$0"; echo "$kernel"; } |
	sha256sum | cut -c1-16)
out=$(cache_dir iosup-ko "$key")
# The soak and the pool test may ask for the same module at once.
cache_lock "$out"
if [ ! -f "$out/iosup.ko" ]; then
	tmp=$out.tmp
	rm -rf "$tmp"
	# The checkout's layout, so that Kbuild finds the ABI header where it
	# would in the checkout; kbuild writes its objects next to the sources.
	mkdir -p "$tmp/src/kshim/linux" "$tmp/src/include/uapi/linux" "$tmp/src/include/xen"
	cp -r "$KSHIM_DIR/iosup" "$tmp/src/kshim/linux/"
	cp "$uapi" "$tmp/src/include/uapi/linux/"
	cp "$xs" "$tmp/src/include/xen/"
	# The work area follows one build at a time; keep builds of it apart.
	flock "$(dirname "$kbuild").lock" \
		make -C "$kbuild" M="$tmp/src/kshim/linux/iosup" W=1 modules >&2
	cp "$tmp/src/kshim/linux/iosup/iosup.ko" "$tmp/"
	rm -rf "$tmp/src"
	cache_commit "$tmp" "$out"
fi
echo "$out/iosup.ko"

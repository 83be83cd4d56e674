#!/usr/bin/env bash
# Builds the kernel at every patch of the series and boots each one in the
# rig with no pool module: each patch must build (with -Werror), boot, and
# leave the kernel behaving as stock does until a pool registers, so that a
# fork+exit storm under dom0-iommu=strict costs what stock's does (from
# MIN_STRICT to MAX_STRICT page-selective invalidations per process: the
# control case's bound, and stock's 9.00 to 9.09 with the same margin).
# On a failure the scratch directory is kept, with each boot's console.
#
# usage: build-each.sh [--no-boot]
#
# For the series' maintainers, not the test command: on 2 cores it took 31
# minutes for 11 patches, 27 of them building (the first patch a full
# build, 273 s; the rest incremental, 10 to 221 s) and about 30 s a boot.
# It builds with the prod flavour's configuration, so build.sh --flavour
# prod must have run; the trees live in a scratch directory that is
# removed at the end.
set -euo pipefail
KSHIM_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KSHIM_DIR/../../tests/vm/lib.sh"

PROCS=${PROCS:-300}
MIN_STRICT=8.5
MAX_STRICT=9.6
boot=1
case "${1:-}" in
'') ;;
--no-boot) boot=0 ;;
*) die "usage: build-each.sh [--no-boot]" ;;
esac
need_root

# The prod build's inputs: its hypervisor, and its configuration and source
# version, which every patch is built with.
inputs=$("$KSHIM_DIR/build.sh" --flavour prod) || die "build.sh --flavour prod failed"
XEN_IMAGE='' KBUILD_DIR=''
eval "$(grep -E '^(XEN_IMAGE|KBUILD_DIR)=' <<<"$inputs")"
[ -n "$XEN_IMAGE" ] && [ -n "$KBUILD_DIR" ] || die "build.sh named no XEN_IMAGE or KBUILD_DIR"
[ -f "$KBUILD_DIR/.config" ] || die "no configuration in $KBUILD_DIR"
work=$(dirname "$KBUILD_DIR")
base=$(git --git-dir="$work/git" rev-list --max-parents=0 HEAD | head -n1)
[ -n "$base" ] || die "no base commit in $work/git"

tmp=$(mktemp -d /var/tmp/iosup-each.XXXXXX)
# Removed only after a pass: a failure's consoles and results stay.
trap 'rc=$?; if [ $rc -eq 0 ]; then rm -rf "$tmp"; else log "kept $tmp"; fi' EXIT
log "checking out the pinned source into $tmp/src"
git clone -q --no-checkout "$work/git" "$tmp/src"
git -C "$tmp/src" -c advice.detachedHead=false checkout -q "$base"
mkdir -p "$tmp/obj"
cp "$KBUILD_DIR/.config" "$tmp/obj/.config"

[ -f "$KSHIM_DIR/patches/series" ] || die "no patches/series"
mapfile -t patches < <(grep -vE '^(#|$)' "$KSHIM_DIR/patches/series")
[ ${#patches[@]} -gt 0 ] || die "patches/series names no patch"
results=()
n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	git -C "$tmp/src" -c user.name=iosup -c user.email=iosup@invalid \
		am -q "$KSHIM_DIR/patches/$p" || die "patch $n ($p) does not apply"
	log "patch $n: building"
	start=$(date +%s)
	make -s -C "$tmp/src" O="$tmp/obj" KCFLAGS=-Werror olddefconfig >/dev/null
	make -s -C "$tmp/src" O="$tmp/obj" KCFLAGS=-Werror -j"$(nproc)" bzImage modules \
		>"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; die "patch $n ($p) does not build"; }
	built=$(($(date +%s) - start))
	if [ $boot -eq 0 ]; then
		results+=("$(printf '%d\t%s\t%ds\tnot booted' "$n" "$p" "$built")")
		continue
	fi

	rm -rf "$tmp/root"
	make -s -C "$tmp/src" O="$tmp/obj" INSTALL_MOD_PATH="$tmp/root" modules_install >/dev/null
	release=$(make -s -C "$tmp/src" O="$tmp/obj" kernelrelease)
	cat >"$tmp/inputs" <<-EOF
		XEN_IMAGE=$XEN_IMAGE
		KERNEL_IMAGE=$tmp/obj/arch/x86/boot/bzImage
		MODULES_DIR=$tmp/root
		KERNEL_RELEASE=$release
	EOF
	log "patch $n: booting, fork+exit storm without a pool"
	"$RIG_DIR/run.sh" --inputs "$tmp/inputs" --procs "$PROCS" --out "$tmp/boot-$n" forkexit \
		>/dev/null || die "patch $n ($p): the kernel did not boot and run the storm (console: see above)"
	per=$(tsv "$tmp/boot-$n" forkexit pages_per_proc) ||
		die "patch $n: no forkexit phase in its results"
	ge "$per" "$MIN_STRICT" && le "$per" "$MAX_STRICT" ||
		die "patch $n ($p): $per invalidations per fork+exit without a pool, stock costs $MIN_STRICT to $MAX_STRICT"
	results+=("$(printf '%d\t%s\t%ds\t%s per fork+exit' "$n" "$p" "$built" "$per")")
done

printf 'patch\tfile\tbuild\tno pool, strict\n'
printf '%s\n' "${results[@]}"
if [ $boot -eq 1 ]; then
	echo "build-each: each of the ${#patches[@]} patches built, booted and cost what stock does without a pool"
else
	echo "build-each: each of the ${#patches[@]} patches built"
fi

#!/usr/bin/env bash
# Builds the rig's dom0 kernel: Debian's linux-source-6.1 with the patch
# series in patches/, then the rig's fixes of upstream Linux in rig-patches/
# (not iosup's, kept apart from the series), configured from allnoconfig
# plus config/base.config, config/debug.config for the debug flavour, and
# config/series.config (the -iosup release) with the series.
# Prints the rig's inputs as shell assignments (see tests/vm/stock-inputs.sh),
# plus KBUILD_DIR, the build tree out-of-tree modules are built against:
#   kshim/linux/build.sh >kernel-inputs.sh
#   tests/vm/run.sh --inputs kernel-inputs.sh forkexit
#
# The result is cached by a hash of the source version, the flavour, the
# config fragments, the patches and this script. The source tree and the build tree are kept in
# one work area per source version and moved from series to series with git,
# which rewrites only the files that differ, so a changed patch rebuilds
# incrementally. Environment: JOBS (default 2), IOSUP_CACHE.
# --no-patches builds the same kernel without either: the baseline.
set -euo pipefail
KSHIM_DIR=$(cd "$(dirname "$0")" && pwd)
. "$KSHIM_DIR/../../tests/vm/lib.sh"

# The series is written against exactly this source; a newer one may move
# the hunks, so it is pinned and installed on demand.
SRC_PKG=linux-source-6.1
SRC_VER=6.1.192-2
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
JOBS=${JOBS:-2}

PATCH_DIR=$KSHIM_DIR/patches
RIG_PATCH_DIR=$KSHIM_DIR/rig-patches

apply=1 flavour=debug
while [ $# -gt 0 ]; do
	case $1 in
	--no-patches) apply=0 ;;
	--flavour) flavour=${2:-}; shift ;;
	*) die "usage: build.sh [--flavour debug|prod] [--no-patches]" ;;
	esac
	shift
done
fragments=("$KSHIM_DIR/config/base.config")
case $flavour in
debug) fragments+=("$KSHIM_DIR/config/debug.config") ;;
prod) ;;
*) die "--flavour: '$flavour' is not one of debug, prod" ;;
esac
[ $apply -eq 0 ] || fragments+=("$KSHIM_DIR/config/series.config")

need_root

# install_source: the pinned source package, installed on a cache miss only.
install_source() {
	local installed
	installed=$(dpkg-query -W -f '${Version}' "$SRC_PKG" 2>/dev/null || true)
	if [ "$installed" != "$SRC_VER" ]; then
		log "installing $SRC_PKG=$SRC_VER (have: ${installed:-none})"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			"$SRC_PKG=$SRC_VER" >&2 ||
			die "$SRC_PKG $SRC_VER is not installable; the patches are written against it (apt-cache policy $SRC_PKG)"
	fi
	[ -f "$SRC_TAR" ] || die "$SRC_TAR is missing although $SRC_PKG $SRC_VER is installed"
}

# The patches in the order of each series file, which must name each one,
# as paths: the iosup series, then the rig's fixes.
patches=()
if [ $apply -eq 1 ]; then
	for dir in "$PATCH_DIR" "$RIG_PATCH_DIR"; do
		[ -f "$dir/series" ] || die "$dir/series is missing"
		while read -r p; do
			[ -f "$dir/$p" ] || die "${dir##*/}/series names $p, which does not exist"
			patches+=("$dir/$p")
		done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series")
	done
fi

key=$(printf '%s=%s %s\n' "$SRC_PKG" "$SRC_VER" "$flavour" |
	cat - "${fragments[@]}" "$0" |
	{ cat; for p in ${patches[@]+"${patches[@]}"}; do
		echo "patch ${p#"$KSHIM_DIR"/}"; cat "$p"; done; } |
	sha256sum | cut -c1-16)
out=$(cache_dir kernel "$key")
work=$(cache_dir kernel-work "$SRC_VER")
# The series and the baseline each have a source tree, so that building one
# does not rewrite the other's files; each flavour has a build tree.
variant=$([ $apply -eq 1 ] && echo series || echo stock)
src=$work/src-$variant
kbuild=$work/kbuild-$variant-$flavour

mkdir -p "$IOSUP_CACHE"
exec 9>"$work.lock"
flock 9

# The repository lives beside the source, not in it: kbuild would otherwise
# append the commit to the kernel release.
# Each source tree has its own index, so git knows which of its files differ.
g() {
	GIT_INDEX_FILE=${GIT_INDEX_FILE:-$work/index-$variant} \
		git --git-dir="$work/git" --work-tree="$src" "$@"
}

# Unpacks the pristine source once and records it as the base commit; a
# second source tree is a checkout of that commit.
prepare_source() {
	if [ ! -f "$work/git-ok" ]; then
		install_source
		rm -rf "$work"
		mkdir -p "$work"
		tar -C "$work" -xJf "$SRC_TAR"
		mv "$work/linux-source-6.1" "$src"
		g init -q
		g add -A -f
		g -c user.name=kshim -c user.email=kshim@localhost \
			commit -q -m "$SRC_PKG $SRC_VER"
		g tag base
		touch "$work/git-ok"
	fi
	[ -d "$src" ] || { mkdir -p "$src" && g checkout -q -f base; }
}

# Applies the series onto the base commit in a scratch index, then checks the
# result out: only files that differ from the previous build are rewritten,
# so make sees every other file as up to date.
apply_series() {
	local index=$work/series.index p tree commit
	rm -f "$index"
	GIT_INDEX_FILE=$index g read-tree base
	for p in ${patches[@]+"${patches[@]}"}; do
		GIT_INDEX_FILE=$index g apply --cached "$p" >&2 ||
			die "patch ${p#"$KSHIM_DIR"/} does not apply to $SRC_PKG $SRC_VER"
	done
	tree=$(GIT_INDEX_FILE=$index g write-tree)
	rm -f "$index"
	commit=$(g -c user.name=kshim -c user.email=kshim@localhost \
		commit-tree "$tree" -p base -m "series $key")
	g checkout -q -f "$commit"
}

configure() {
	local merged=$kbuild.allconfig f line
	mkdir -p "$kbuild"
	cat "${fragments[@]}" >"$merged"
	# Every option not named in the fragments takes its allnoconfig value.
	make -s -C "$src" O="$kbuild" KCONFIG_ALLCONFIG="$merged" allnoconfig >&2
	rm -f "$merged"
	# A fragment line that kconfig dropped (a typo or an unmet dependency)
	# would silently give a different kernel.
	for f in "${fragments[@]}"; do
		while read -r line; do
			grep -qxF "$line" "$kbuild/.config" ||
				die "config/${f##*/}: '$line' did not survive allnoconfig"
		done < <(grep -E '^CONFIG_' "$f")
	done
}

build() {
	make -C "$src" O="$kbuild" -j"$JOBS" bzImage modules >&2
}

install_result() {
	local tmp=$out.tmp release
	rm -rf "$tmp"
	mkdir -p "$tmp/root"
	release=$(make -s -C "$src" O="$kbuild" kernelrelease)
	cp "$kbuild/arch/x86/boot/bzImage" "$tmp/bzImage"
	make -s -C "$src" O="$kbuild" INSTALL_MOD_PATH="$tmp/root" \
		INSTALL_MOD_STRIP=1 modules_install >&2
	# The tree holds symlinks back to the build; the rig needs only modules.
	rm -f "$tmp/root/lib/modules/$release/build" \
		"$tmp/root/lib/modules/$release/source"
	/sbin/depmod -b "$tmp/root" "$release"
	echo "$release" >"$tmp/release"
	g rev-parse HEAD >"$tmp/source-commit"
	touch "$tmp/ok"
	cache_commit "$tmp" "$out"
}

# The build tree follows its last build; bring it to this series even when
# the kernel itself is cached, so KBUILD_DIR matches KERNEL_IMAGE.
at=$(cat "$kbuild.at" 2>/dev/null || true)
if [ ! -f "$out/ok" ] || [ "$at" != "$key" ]; then
	rm -f "$kbuild.at"
	phase kernel-source prepare_source
	phase kernel-patches apply_series
	phase kernel-config configure
	start=$EPOCHREALTIME
	phase kernel-build build
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	echo "$key" >"$kbuild.at"
	if [ ! -f "$out/ok" ]; then
		phase kernel-install install_result
		echo "$secs" >"$out/build-seconds"
	fi
fi

xen_image=$("$KSHIM_DIR/../../tests/vm/stock-inputs.sh" | grep '^XEN_IMAGE=')
echo "$xen_image"
echo "KERNEL_IMAGE=$out/bzImage"
echo "MODULES_DIR=$out/root"
echo "KERNEL_RELEASE=$(cat "$out/release")"
echo "KBUILD_DIR=$kbuild"

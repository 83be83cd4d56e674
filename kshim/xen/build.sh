#!/usr/bin/env bash
# Builds the iosup-patched Xen hypervisor from Debian's xen source package.
#
# usage: kshim/xen/build.sh [--flavour rig|flask|host]
#   rig   (default) the rig's: Xen's defconfig with the debug checks and
#         the perf counters on
#   flask the rig's with the FLASK security module and Xen's default policy
#         built in, and two policies to load at run time beside it
#         (policy-default.bin, and policy-noperf.bin: the same without
#         dom0's xen:perfcontrol, which the counters' op is checked
#         against); the inputs gain RIG_FLASK_POLICIES, their directory
#   host  for a host (kshim/xen/build-deb.sh packages it): the
#         configuration of Debian's own xen-hypervisor-4.17-amd64 of the
#         same version, no debug, no perf counters
#
# Fetches one pinned version of the source (adding a deb-src entry for
# bookworm if apt has none), applies the series in kshim/xen/ on top of it,
# drops in the shared ABI header include/xen/iosup-sysctl.h (the one
# definition of the sysctl op's structures) and builds the hypervisor only.
# The source and the build are cached under ${IOSUP_CACHE:-/var/cache/iosup},
# the build keyed by a hash of the source version, the patches, this script
# and the header. Prints the rig's inputs file: the stock kernel's lines with
# XEN_IMAGE pointing at the patched hypervisor, and the XEN_ARGS it needs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/vm/lib.sh"

# The version the series is written against. Another version may move the
# hunks, or change the code under them without moving them: a new version is
# a deliberate change of this line and a fresh look at every patch.
XEN_SRC_VERSION=4.17.5+72-g01140da4e8-1
ABI_HEADER=$SRC_ROOT/include/xen/iosup-sysctl.h
# Where the header lands in Xen's tree, included by the patches.
ABI_HEADER_DEST=xen/include/public/iosup_sysctl.h
DEBSRC_LIST=/etc/apt/sources.list.d/iosup-debsrc.sources

flavour=rig
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) [ $# -ge 2 ] || die "--flavour needs rig, flask or host"; flavour=$2; shift ;;
	*) die "usage: build.sh [--flavour rig|flask|host]" ;;
	esac
	shift
done
case $flavour in
rig | flask | host) ;;
*) die "--flavour: '$flavour' is not one of rig, flask, host" ;;
esac

need_root

# apt_has_debsrc: whether any enabled apt source already offers deb-src.
apt_has_debsrc() {
	grep -qsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
}

# add_debsrc: a deb-src twin of every bookworm deb entry, with the same URIs,
# suites and keys, in a file of its own so that removing it undoes this.
add_debsrc() {
	local tmp=$DEBSRC_LIST.tmp f
	: >"$tmp"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: paragraphs separated by blank lines.
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ &&
			/(^|\n)Suites:[^\n]*bookworm/ {
				gsub(/(^|\n)#[^\n]*/, "")
				sub(/Types:[^\n]*/, "Types: deb-src")
				print
			}' "$f" >>"$tmp"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && / bookworm/ { $1 = "deb-src"; print }' "$f" |
			while read -r line; do
				# One-line entries, converted so the file stays deb822.
				set -- $line
				shift
				local opts='' uri suite
				if [[ $1 == \[* ]]; then
					opts=$1
					shift
				fi
				uri=$1 suite=$2
				shift 2
				printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' \
					"$uri" "$suite" "$*"
			done >>"$tmp"
	done
	[ -s "$tmp" ] || { rm -f "$tmp"; die "no bookworm 'deb' entry in apt's sources to derive a deb-src entry from"; }
	mv "$tmp" "$DEBSRC_LIST"
	log "added $DEBSRC_LIST; running apt-get update"
	apt-get update -q >&2
}

# fetch_source: the pinned source package, unpacked (Debian's patches
# applied) into the cache. Prints the tree's path.
fetch_source() {
	local dir tmp
	dir=$(cache_dir xen-src "$XEN_SRC_VERSION")
	if [ ! -f "$dir/ok" ]; then
		apt_has_debsrc || add_debsrc
		# A variable, not a pipe into grep -q: under pipefail, grep quitting
		# early would fail the pipe with SIGPIPE.
		local versions
		versions=$(apt-cache showsrc xen 2>/dev/null | awk '/^Version:/ { print $2 }')
		if ! grep -qxF "$XEN_SRC_VERSION" <<<"$versions"; then
			apt-get update -q >&2 || true
			versions=$(apt-cache showsrc xen 2>/dev/null | awk '/^Version:/ { print $2 }')
			grep -qxF "$XEN_SRC_VERSION" <<<"$versions" ||
				die "the xen source package $XEN_SRC_VERSION is not in apt's sources (available: $(echo $versions))." \
					"The series in $here is written against $XEN_SRC_VERSION; porting it is a deliberate change."
		fi
		tmp=$dir.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp"
		log "fetching the xen source package $XEN_SRC_VERSION"
		# _apt cannot write into a root-owned directory; download as root.
		(cd "$tmp" && apt-get source -q -o APT::Sandbox::User=root \
			"xen=$XEN_SRC_VERSION") >&2 ||
			die "apt-get source xen=$XEN_SRC_VERSION failed (see above)"
		local tree
		tree=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'xen-*' | head -n1)
		[ -n "$tree" ] && [ -f "$tree/xen/Makefile" ] ||
			die "apt-get source xen=$XEN_SRC_VERSION left no source tree in $tmp"
		mv "$tree" "$tmp/src"
		touch "$tmp/ok"
		cache_commit "$tmp" "$dir"
	fi
	echo "$dir/src"
}

# apply_series TREE: the patches named in kshim/xen/series, in order, each
# first checked without fuzz so a changed context fails loudly.
apply_series() {
	local tree=$1 p
	[ -f "$here/series" ] || die "$here/series is missing"
	install -m 0644 "$ABI_HEADER" "$tree/$ABI_HEADER_DEST"
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$here/$p" ] || die "the series names $p, which is not in $here"
		if ! patch -d "$tree" -p1 --dry-run --batch --fuzz=0 --forward \
			-i "$here/$p" >"$tree/.patch.log" 2>&1; then
			cat "$tree/.patch.log" >&2
			die "$p does not apply to xen $XEN_SRC_VERSION (the output above names the hunk)"
		fi
		patch -d "$tree" -p1 --batch --fuzz=0 --forward --quiet -i "$here/$p" >&2
	done <"$here/series"
	rm -f "$tree/.patch.log"
}

# debian_config DEST: the configuration Debian's own hypervisor package of
# the pinned version was built with, from its /boot.
debian_config() {
	local d
	d=$(mktemp -d)
	(cd "$d" && apt-get download -q -o APT::Sandbox::User=root \
		"xen-hypervisor-4.17-amd64=$XEN_SRC_VERSION") >&2 ||
		{ rm -rf "$d"; die "xen-hypervisor-4.17-amd64 $XEN_SRC_VERSION is not in apt's archive"; }
	dpkg-deb --fsys-tarfile "$d"/*.deb | tar -xO ./boot/xen-4.17-amd64.config >"$1" ||
		{ rm -rf "$d"; die "xen-hypervisor-4.17-amd64 $XEN_SRC_VERSION has no /boot/xen-4.17-amd64.config"; }
	rm -rf "$d"
}

# configure TREE: the flavour's .config (the host's from TREE/debian.config,
# fetched before the build's output is sent to its log).
configure() {
	local xen=$1/xen
	case $flavour in
	rig)
		# Debug on: ASSERT()s fire (the rig fails a run on "(XEN)
		# Assertion"), and so do the lock and scrub checks it brings, on
		# the paths the series touches among others. Perf counters on:
		# the cost account (tests/vm/test-account.sh) reads them with
		# xenperf; each is a per-CPU increment, which moves no IOMMU
		# flush.
		make -C "$xen" defconfig &&
			printf '%s\n' CONFIG_DEBUG=y CONFIG_PERF_COUNTERS=y CONFIG_PERF_ARRAYS=y \
				>>"$xen/.config" &&
			make -C "$xen" olddefconfig &&
			[ "$(grep -cxE 'CONFIG_(DEBUG|PERF_COUNTERS|PERF_ARRAYS)=y' "$xen/.config")" -eq 3 ]
		;;
	flask)
		# The rig's, with FLASK. The built-in policy is asked for by
		# name: Kconfig drops it silently when checkpolicy is missing,
		# and then an enforcing boot panics for want of a policy.
		make -C "$xen" defconfig &&
			printf '%s\n' CONFIG_DEBUG=y CONFIG_PERF_COUNTERS=y CONFIG_PERF_ARRAYS=y \
				CONFIG_XSM=y CONFIG_XSM_FLASK=y CONFIG_XSM_FLASK_POLICY=y \
				CONFIG_XSM_FLASK_DEFAULT=y >>"$xen/.config" &&
			make -C "$xen" olddefconfig &&
			[ "$(grep -cxE 'CONFIG_(DEBUG|PERF_COUNTERS|PERF_ARRAYS|XSM|XSM_FLASK|XSM_FLASK_POLICY|XSM_FLASK_DEFAULT)=y' \
				"$xen/.config")" -eq 7 ]
		;;
	host)
		# What a host runs: Debian's choices, none of the rig's checks.
		cp "$1/debian.config" "$xen/.config" &&
			make -C "$xen" olddefconfig &&
			! grep -qxE 'CONFIG_(DEBUG|PERF_COUNTERS)=y' "$xen/.config"
		;;
	esac
}

# flask_policies TREE DEST: Xen's default policy as built into the
# hypervisor, and the same without dom0's perfcontrol, into DEST.
flask_policies() {
	local tree=$1 dest=$2 src=$1/tools/flask/policy-noperf
	cp "$tree/xen/xsm/flask/policy.bin" "$dest/policy-default.bin" || return 1
	# A sibling of the default's sources: Makefile.common finds the tree
	# three levels up.
	cp -a "$tree/tools/flask/policy" "$src"
	sed -i 's/\bperfcontrol\b//' "$src/modules/dom0.te"
	if grep -qw perfcontrol "$src/modules/dom0.te"; then
		echo "flask: perfcontrol is still granted in $src/modules/dom0.te" >&2
		return 1
	fi
	mkdir -p "$src/build"
	make -C "$src" -f Makefile.common FLASK_BUILD_DIR="$src/build" \
		POLICY_FILENAME="$dest/policy-noperf.bin" &&
		[ -s "$dest/policy-noperf.bin" ] &&
		! cmp -s "$dest/policy-default.bin" "$dest/policy-noperf.bin"
}

build_xen() {
	local src=$1 out=$2 tmp=$2.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	cp -a "$src" "$tmp/tree"
	apply_series "$tmp/tree"
	[ "$flavour" = rig ] || debian_config "$tmp/tree/debian.config"
	log "building the hypervisor, $flavour flavour (log: $tmp/build.log)"
	if ! { configure "$tmp/tree" &&
		make -C "$tmp/tree/xen" -j"$(nproc)" &&
		{ [ "$flavour" != flask ] || flask_policies "$tmp/tree" "$tmp"; }; } >"$tmp/build.log" 2>&1; then
		tail -n 40 "$tmp/build.log" >&2
		die "the hypervisor did not build (full log: $tmp/build.log)"
	fi
	cp "$tmp/tree/xen/xen" "$tmp/xen"
	cp "$tmp/tree/xen/xen-syms" "$tmp/xen-syms"
	cp "$tmp/tree/xen/.config" "$tmp/config"
	rm -rf "$tmp/tree"
	cache_commit "$tmp" "$out"
}

[ -f "$ABI_HEADER" ] || die "$ABI_HEADER is missing"
src=$(phase xen-source fetch_source)
# The series, the header and this script: not the packaging beside them.
key=$(printf '%s %s\n' "$XEN_SRC_VERSION" "$(hash_of "$here"/series "$here"/*.patch "$0" "$ABI_HEADER")" |
	sha256sum | cut -c1-16)
out=$(cache_dir "xen-$flavour" "$key")
[ -f "$out/xen" ] || phase xen-build build_xen "$src" "$out"

"$SRC_ROOT/tests/vm/stock-inputs.sh" | sed "s|^XEN_IMAGE=.*|XEN_IMAGE=$out/xen|"
[ "$flavour" != flask ] || echo "RIG_FLASK_POLICIES=$out"

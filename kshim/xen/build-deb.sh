#!/usr/bin/env bash
# Packages the patched hypervisor for a host: kshim/xen/build.sh --flavour
# host (Debian's configuration of the pinned version, the series on top)
# as xen-hypervisor-4.17-iosup-amd64, laid out as Debian's own
# xen-hypervisor-4.17-amd64 is (/boot/xen-4.17-iosup-amd64.gz and its
# .config), so that GRUB's Xen entries (/etc/grub.d/20_linux_xen) offer it.
# The packaging is in kshim/xen/package/debian/. Prints the path of the .deb.
#
# Cached by a hash of the hypervisor and the packaging.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/vm/lib.sh"
need_root

PKG=xen-hypervisor-4.17-iosup-amd64
# Debian's version of the source, and which build of the series on it.
ITERATION=iosup1
# The changelog's date: when this packaging was written, so that the same
# inputs make the same package.
CHANGELOG_DATE='Sun, 29 Nov 2026 12:00:00 +0000'

xen_image=$("$here/build.sh" --flavour host | sed -n 's/^XEN_IMAGE=//p')
[ -f "$xen_image" ] && [ -f "$(dirname "$xen_image")/config" ] ||
	die "kshim/xen/build.sh --flavour host left no hypervisor and config"
src_version=$(sed -n 's/^XEN_SRC_VERSION=//p' "$here/build.sh")
[ -n "$src_version" ] || die "no XEN_SRC_VERSION in $here/build.sh"
# Debian's version without the commit's hash ("4.17.5+72-g01140da4e8-1"
# becomes "4.17.5+72-1"), lest the file's name pass lintian's 80
# characters; the changelog names the source version in full.
version=$(sed -E 's/-g[0-9a-f]+-/-/' <<<"$src_version")+$ITERATION
[ "$version" != "$src_version+$ITERATION" ] || die "cannot shorten the version '$src_version'"

key=$(printf '%s %s\n' "$version" "$(hash_of "$xen_image" "$0" "$here/package")" |
	sha256sum | cut -c1-16)
if cache_entry xen-deb "$key"; then
	mkdir "$tmp/src"
	cp -a "$here/package/debian" "$tmp/src/"
	gzip -9n <"$xen_image" >"$tmp/src/xen-4.17-iosup-amd64.gz"
	cp "$(dirname "$xen_image")/config" "$tmp/src/xen-4.17-iosup-amd64.config"
	cat >"$tmp/src/debian/changelog" <<-CHANGELOG
	iosup-xen ($version) unstable; urgency=medium

	  * Debian's xen $src_version with iosup's series (kshim/xen/series).

	 -- iosup developers <iosup-devel@lists.iosup.org>  $CHANGELOG_DATE
	CHANGELOG
	(cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
		{ tail -n 30 "$tmp/build.log" >&2; die "dpkg-buildpackage of $PKG failed"; }
	rm -rf "$tmp/src"
	[ -f "$tmp/${PKG}_${version}_amd64.deb" ] || die "no ${PKG}_${version}_amd64.deb was built"
	touch "$tmp/ok"
	cache_commit "$tmp" "$out"
fi
echo "$out/${PKG}_${version}_amd64.deb"

#!/usr/bin/env bash
# Builds the dom0 initramfs: busybox, Xen's tools with their libraries, the
# kernel modules dom0 needs, the project's programs and the scenarios.
#
# usage: initramfs.sh MODULES_DIR KERNEL_RELEASE BIN_DIR [EXTRA_KO...]
#   BIN_DIR    the project's build directory (its iosup* programs ship)
#   EXTRA_KO   further modules to ship in /lib/modules/extra (loaded by
#              scenarios, not at boot)
# With RIG_DOMU_KERNEL and RIG_DOMU_INITRD set (run.sh with RIG_DOMU=1) it
# also ships what the domu scenario needs: those two files in /domu,
# xenconsoled, xenconsole and libxl's save helper (xl save and restore),
# and xen-pciback (not loaded at boot). With RIG_FLASK_POLICIES (a directory
# of kshim/xen/build.sh --flavour flask) its policy-*.bin go to /flask.
# Prints the path of the (cached) gzipped cpio archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: initramfs.sh MODULES_DIR KERNEL_RELEASE BIN_DIR [EXTRA_KO...]"
modules_dir=$1 release=$2 bin_dir=$3
shift 3
extra_ko=("$@")

XEN_BIN=/usr/lib/xen-4.17/bin
xen_tools=("$XEN_BIN/xl" "$XEN_BIN/xenstored" "$XEN_BIN/xen-init-dom0"
	/usr/bin/xenstore /usr/bin/xenstore-read /usr/bin/xenstore-write
	/usr/bin/xenstore-ls /usr/bin/xenstore-list /usr/bin/xenstore-rm
	/usr/bin/xenstore-watch /usr/bin/xenstore-chmod)
# Other tools the scenarios use: memory pressure for the pool's shrinker.
rig_tools=(/usr/bin/stress-ng)
# Every program of the project's build named iosup* (not the unit tests, not
# meson's object directories).
mapfile -t project_bins < <(find "$bin_dir" -type f -perm -u+x -name 'iosup*' \
	-not -path '*.p/*' | LC_ALL=C sort)
# Loaded at boot, in this order with their dependencies. xenfs, privcmd and
# evtchn are what xenstored and xl need; nvme is the device-DMA workload.
boot_modules=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs nvme)

# FLASK policies to load at run time (RIG_FLASK_POLICIES, a directory of
# kshim/xen/build.sh --flavour flask): its policy-*.bin, in /flask.
flask_files=()
if [ -n "${RIG_FLASK_POLICIES:-}" ]; then
	flask_files=("$RIG_FLASK_POLICIES"/policy-*.bin)
	[ -f "${flask_files[0]}" ] || die "RIG_FLASK_POLICIES: no policy-*.bin in '$RIG_FLASK_POLICIES'"
fi

# The PV domU's kernel and initramfs, and what dom0 needs to start it.
domu_files=() domu_ko=()
if [ -n "${RIG_DOMU_KERNEL:-}" ] || [ -n "${RIG_DOMU_INITRD:-}" ]; then
	domu_files=("${RIG_DOMU_KERNEL:?}" "${RIG_DOMU_INITRD:?}")
	xen_tools+=("$XEN_BIN/xenconsoled" "$XEN_BIN/xenconsole" "$XEN_BIN/libxl-save-helper")
	mapfile -t domu_ko < <(/sbin/modprobe -d "$modules_dir" -S "$release" \
		--show-depends xen-pciback | awk '$1 == "insmod" { print $2 }')
	[ ${#domu_ko[@]} -gt 0 ] || die "xen-pciback is not a module of $modules_dir"
fi

for f in "${xen_tools[@]}" "${rig_tools[@]}" /bin/busybox; do
	[ -x "$f" ] || die "$f is missing (run scripts/deps)"
done
[ ${#project_bins[@]} -gt 0 ] || die "no iosup* programs in $bin_dir"

# The modules to load at boot, dependencies first, each once.
mapfile -t ko_paths < <(/sbin/modprobe -d "$modules_dir" -S "$release" \
	--show-depends -a "${boot_modules[@]}" |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }')

key=$(hash_of "$RIG_DIR/init" "$RIG_DIR/guest.sh" "$RIG_DIR/scenarios" "$0" /bin/busybox \
	"${xen_tools[@]}" "${rig_tools[@]}" "${project_bins[@]}" "${ko_paths[@]}" \
	${extra_ko[@]+"${extra_ko[@]}"} ${domu_files[@]+"${domu_files[@]}"} \
	${domu_ko[@]+"${domu_ko[@]}"} ${flask_files[@]+"${flask_files[@]}"})
out=$(cache_dir initramfs "$key")
cache_lock "$out"
if [ -f "$out/initrd.gz" ]; then
	echo "$out/initrd.gz"
	exit 0
fi

tmp=$out.tmp
rm -rf "$tmp"
root=$tmp/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,root,var/log/xen,var/lib/xen,var/lib/xenstored}
mkdir -p "$root"/{lib/modules/boot,lib/modules/extra,scenarios,usr/lib/xen/bin,usr/bin}

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# Dynamic programs and every library they load, at the same paths (for a
# static one ldd fails, and there is nothing to copy).
copy_with_libs() {
	local src=$1 dst=$2 lib
	install -D -m 0755 "$src" "$root$dst"
	for lib in $(ldd "$src" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]*\/lib/ { print $1 }'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
	done
}
for f in "${xen_tools[@]}"; do
	case $f in
	# libxl runs xenconsole and its save helper by their installed paths.
	"$XEN_BIN"/xenconsole | "$XEN_BIN"/libxl-save-helper) copy_with_libs "$f" "$f" ;;
	"$XEN_BIN"/*) copy_with_libs "$f" "/usr/lib/xen/bin/$(basename "$f")" ;;
	*) copy_with_libs "$f" "$f" ;;
	esac
done
for f in "${rig_tools[@]}"; do
	copy_with_libs "$f" "$f"
done
for f in "${project_bins[@]}"; do
	copy_with_libs "$f" "/usr/bin/$(basename "$f")"
done
# glibc dlopen()s libgcc_s for pthread_cancel(), which libxenstore calls to
# stop its watch thread when iosupd closes it; ldd cannot see that.
libgcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !n++ { print $NF }')
[ -n "$libgcc_s" ] || die "libgcc_s.so.1 is missing"
[ -e "$root$libgcc_s" ] || install -D -m 0755 "$libgcc_s" "$root$libgcc_s"

for ko in "${ko_paths[@]}"; do
	cp "$ko" "$root/lib/modules/boot/"
	basename "$ko" >>"$root/etc/modules.boot"
done
if [ ${#flask_files[@]} -gt 0 ]; then
	mkdir -p "$root/flask"
	cp "${flask_files[@]}" "$root/flask/"
fi
for ko in ${extra_ko[@]+"${extra_ko[@]}"}; do
	cp "$ko" "$root/lib/modules/extra/"
done

if [ ${#domu_files[@]} -gt 0 ]; then
	install -D -m 0644 "${domu_files[0]}" "$root/domu/bzImage"
	install -D -m 0644 "${domu_files[1]}" "$root/domu/initrd.gz"
	mkdir -p "$root/lib/modules/domu"
	cp "${domu_ko[@]}" "$root/lib/modules/domu/"
fi

install -m 0755 "$RIG_DIR/init" "$root/init"
install -D -m 0644 "$RIG_DIR/guest.sh" "$root/lib/rig/guest.sh"
install -m 0755 "$RIG_DIR"/scenarios/*.sh "$root/scenarios/"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) | gzip -1 >"$tmp/initrd.gz"
rm -rf "$root"
cache_commit "$tmp" "$out"
echo "$out/initrd.gz"

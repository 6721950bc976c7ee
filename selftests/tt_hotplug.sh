#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A PCI card unplugged while a file of it is open, and plugged in again.
# The guest half of vm/hotplug-run, which starts the VM with a qemu
# "edu" device (1234:11e8) in a hot-plug slot and acts on two lines this
# script prints: on "HOTPLUG: ready" it unplugs the device (device_del), on
# "HOTPLUG: removed" it plugs it in again (device_add). In between, the file
# held open (by tt_hold, installed beside this script) must fail every
# ioctl with ENODEV, the card's class device and debugfs directory must be
# gone, and close() must work and drop the file's records. The re-added
# device must be bound and usable again. Not part of the normal suite: it
# waits for the host. Needs root and a modprobe-able module.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

CLASS=/sys/class/tenstorrent
PCIDRV=/sys/bus/pci/drivers/tenstorrent
DEBUGFS=/sys/kernel/debug/tenstorrent
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
EV=$T/events/tenstorrent/tt_track_release
WAIT=60		# seconds to wait for the host and the kernel
MiB=1048576

skip_all() {
	echo "1..0 # SKIP $1"
	exit $KSFT_SKIP
}

[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -d /sys/module/tenstorrent ] || modprobe tenstorrent ||
	skip_all "tenstorrent module not found"
edu=$(edu_device) || skip_all "no qemu edu device (qemu -device edu)"
[ ! -e "$edu/driver" ] ||
	skip_all "edu device already bound to $(basename "$(readlink -f "$edu/driver")")"
bdf=$(basename "$edu")

echo "TAP version 13"
echo "1..19"

# seconds since boot, with hundredths
now() { cut -d' ' -f1 /proc/uptime; }

# wait_for CONDITION...: poll every 0.1 s for up to $WAIT seconds
wait_for() {
	end=$(($(cut -d. -f1 /proc/uptime) + WAIT))
	while ! "$@"; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt $end ] || return 1
		sleep 0.1
	done
}

# card_of SYSFS_DEVICE: N of the card whose parent is that device
card_of() {
	want=$(readlink -f "$1")
	for c in $CLASS/tenstorrent!*; do
		if [ -e "$c" ] && [ "$(readlink -f "$c/device")" = "$want" ]; then
			echo "${c##*!}"
			return 0
		fi
	done
	return 1
}
edu_card() { card_of "$edu" >/dev/null; }
edu_gone() { [ ! -e "$edu" ]; }

# hold CMD...: one command to tt_hold, whose reply is printed
hold() {
	echo "$*" >&3
	read -r reply <&4 || reply="(no reply: tt_hold died)"
	echo "$reply"
}
# expect REPLY CMD...: the command's reply must be REPLY
expect() {
	want=$1
	shift
	got=$(hold "$@")
	[ "$got" = "$want" ] || { diag "$*: '$got', want '$want'"; return 1; }
}
# sysfs_is ATTR VALUE: the card's sysfs attribute reads VALUE
sysfs_is() {
	got=$(cat "$CLASS/tenstorrent!$n/$1") || return 1
	[ "$got" = "$2" ] || { diag "$1 is '$got', want '$2'"; return 1; }
}

fifo=$(mktemp -d)
mkfifo "$fifo/in" "$fifo/out"
"$(dirname "$0")/tt_hold" <"$fifo/in" >"$fifo/out" &
hold_pid=$!
exec 3>"$fifo/in" 4<"$fifo/out"

# 1: the edu device bound as a Wormhole becomes a card
test_bound() {
	echo "1234 11e8 ffffffff ffffffff 0 0 1" > $PCIDRV/new_id || return 1
	wait_for edu_card || { diag "no card under $edu"; return 1; }
	n=$(card_of "$edu")
	diag "card $n at $bdf"
}
check pci_card_bound test_bound
n=${n:-0}
refcnt=$(cat /sys/module/tenstorrent/refcnt)

# 2: the held file records three buffers
test_track() {
	expect ok open /dev/tenstorrent/$n &&
	expect ok alloc 0x800000000 $MiB 0 &&
	expect ok alloc 0x800100000 $MiB 0 &&
	expect ok alloc 0x10000 4096 1 &&
	expect "ok $((2 * MiB)) 4096 0 0 0 0 0 3" query
}
check track_before_removal test_track

# 3: sysfs shows them
test_sysfs() {
	sysfs_is dram_allocated $((2 * MiB)) && sysfs_is l1_allocated 4096 &&
		sysfs_is buffers 3 && sysfs_is open_files 1
}
check sysfs_totals_before_removal test_sysfs

# 4: so does debugfs
test_debugfs() {
	[ -r $DEBUGFS/$n/processes ] || { diag "no $DEBUGFS/$n/processes"; return 1; }
	lines=$(grep -c -e '^[0-9]* 0x800000000 dram 1048576 ' \
		-e '^[0-9]* 0x800100000 dram 1048576 ' \
		-e '^[0-9]* 0x10000 l1 4096 ' $DEBUGFS/$n/buffers)
	[ "$lines" = 3 ] || { diag "$lines of 3 records in $DEBUGFS/$n/buffers"; return 1; }
}
check debugfs_entries_before_removal test_debugfs

# 5: the host unplugs the device; the kernel removes it
echo > $T/trace
[ -d $EV ] && echo 1 > $EV/enable
t0=$(now)
echo "HOTPLUG: ready $bdf"
test_removed() {
	wait_for edu_gone || { diag "$edu still there after ${WAIT} s"; return 1; }
	diag "$bdf gone $(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }') s after the marker"
}
check pci_device_removed test_removed

# 6-10: every ioctl on the stale file fails with ENODEV
check stale_track_alloc_enodev expect "err ENODEV" alloc 0x800200000 $MiB 0
check stale_track_free_enodev expect "err ENODEV" free 0x800000000
check stale_query_alloc_stats_enodev expect "err ENODEV" query
check stale_track_batch_enodev expect "err ENODEV" batch 0x800300000 $MiB 0
check stale_get_tracking_info_enodev expect "err ENODEV" info

# 11: the card's node and class device are gone
test_node_gone() {
	for p in "$CLASS/tenstorrent!$n" /dev/tenstorrent/$n; do
		if [ -e "$p" ]; then diag "$p still exists"; return 1; fi
	done
}
check class_device_gone test_node_gone

# 12: so is its debugfs directory
test_debugfs_gone() {
	[ ! -e $DEBUGFS/$n ] || { diag "$DEBUGFS/$n still exists"; return 1; }
}
check debugfs_dir_gone test_debugfs_gone

# 13: the open file keeps the module in use
test_rmmod_busy() {
	if rmmod tenstorrent 2>/dev/null; then
		diag "rmmod succeeded with a stale file open"
		modprobe tenstorrent
		return 1
	fi
}
check rmmod_refused_with_stale_file test_rmmod_busy

# 13b: the stale file's fdinfo still names the card, by the bus id it
# had (the PCI device itself is gone), and its three records
test_fdinfo() {
	for f in /proc/$hold_pid/fdinfo/*; do
		grep -q '^tt-driver:	tenstorrent$' "$f" 2>/dev/null || continue
		grep -qx "tt-pdev:	$bdf" "$f" && grep -qx 'tt-buffers:	3' "$f" &&
			grep -qx "tt-total-dram:	$((2 * MiB))" "$f" && return 0
		diag "fdinfo of the stale file: $(grep '^tt-' "$f" | tr '\n\t' '  ')"
		return 1
	done
	diag "no fdinfo of tt_hold ($hold_pid) names the driver"
	return 1
}
check stale_file_fdinfo test_fdinfo

# 14: close() works and drops the file's three records
test_close() {
	expect ok close || return 1
	[ -d $EV ] || { diag "no $EV"; return 1; }
	echo 0 > $EV/enable
	ev=$(grep -c "tt_track_release: card=$n pid=[0-9]* buffers=3 bytes_per_type={0x200000,0x1000,0x0,0x0,0x0,0x0,0x0}" $T/trace)
	[ "$ev" = 1 ] || { diag "release events: $(grep tt_track_release $T/trace)"; return 1; }
}
check close_frees_records test_close

# 15: nothing holds the module any more
test_refcnt() {
	got=$(cat /sys/module/tenstorrent/refcnt)
	[ "$got" = "$refcnt" ] || { diag "module refcnt $got, was $refcnt"; return 1; }
}
check module_refcount_restored test_refcnt

# 16: the host plugs the device in again; it is bound as a card again
t0=$(now)
echo "HOTPLUG: removed $bdf"
edu_back() { edu=$(edu_device) && edu_card; }
test_readded() {
	wait_for edu_back || { diag "no card on an edu device after ${WAIT} s"; return 1; }
	n=$(card_of "$edu")
	diag "card $n at $(basename "$edu") $(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }') s after the marker"
}
check pci_card_bound_again test_readded

# 17: and works: a new file records a buffer, sysfs counts it
test_usable() {
	expect ok open /dev/tenstorrent/$n &&
	expect ok alloc 0x800000000 $MiB 0 &&
	sysfs_is dram_allocated $MiB && sysfs_is buffers 1 &&
	sysfs_is open_files 1 &&
	expect ok free 0x800000000 &&
	expect ok close
}
check readded_card_usable test_usable

# 18: the kernel logged no warning, oops or BUG
test_log() {
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t:|list_(add|del) corruption')
	[ -z "$bad" ] || { echo "$bad" | sed 's/^/# /'; return 1; }
}
check kernel_log_clean test_log

exec 3>&- 4<&-
wait $hold_pid
rm -rf "$fifo"
[ ! -e "$edu/driver" ] || echo "$(basename "$edu")" > $PCIDRV/unbind
echo "1234 11e8" > $PCIDRV/remove_id
exit $failed

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Module life cycle and bus backends of the tenstorrent driver: quiet load
# with no cards, clean unload, unload refused while a card's file is open,
# simulated cards from module parameters, and PCI binding, tried on a qemu
# "edu" device (1234:11e8) bound through new_id as each card family. Needs
# root and a modprobe-able module; leaves the module loaded as it found it.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

CLASS=/sys/class/tenstorrent
PCIDRV=/sys/bus/pci/drivers/tenstorrent

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit $KSFT_SKIP
fi
if ! modinfo tenstorrent >/dev/null 2>&1 && ! [ -d /sys/module/tenstorrent ]; then
	echo "1..0 # SKIP tenstorrent module not found"
	exit $KSFT_SKIP
fi

cards() { ls -d $CLASS/tenstorrent!* 2>/dev/null | wc -l; }
unload() { [ ! -d /sys/module/tenstorrent ] || rmmod tenstorrent; }
# kernel log lines since the last `dmesg -c`, minus the out-of-tree taint
# notices a first load of an unsigned module always prints
new_log() {
	dmesg | grep -v -e 'loading out-of-tree module taints kernel' \
		-e 'module verification failed'
}

orig_sim=""
[ -r /sys/module/tenstorrent/parameters/sim_cards ] &&
	orig_sim=$(cat /sys/module/tenstorrent/parameters/sim_cards)

echo "TAP version 13"
echo "1..9"

# 1: unload with no open files removes every trace
test_unload_clean() {
	[ -d /sys/module/tenstorrent ] || modprobe tenstorrent sim_cards=2 || return 1
	dmesg -c >/dev/null
	rmmod tenstorrent || return 1
	for p in /sys/module/tenstorrent $CLASS /sys/bus/tenstorrent_sim /dev/tenstorrent/0; do
		if [ -e "$p" ]; then diag "$p still exists"; return 1; fi
	done
	log=$(new_log)
	[ -z "$log" ] || { diag "unload logged: $log"; return 1; }
}
check unload_clean test_unload_clean

# 2: load without parameters: no cards, nothing logged
test_load_quiet() {
	unload
	dmesg -c >/dev/null
	modprobe tenstorrent || return 1
	[ -d $CLASS ] || { diag "no $CLASS"; return 1; }
	n=$(cards)
	[ "$n" -eq 0 ] || { diag "$n cards without sim_cards"; return 1; }
	log=$(new_log)
	[ -z "$log" ] || { diag "load logged: $log"; return 1; }
}
check load_quiet_no_cards test_load_quiet

# 3: sim_cards=3 gives three cards, each on the simulated bus
test_sim_cards() {
	unload
	modprobe tenstorrent sim_cards=3 sim_dram_mib=1024,2048 || return 1
	n=$(cards)
	[ "$n" -eq 3 ] || { diag "$n cards, want 3"; return 1; }
	for i in 0 1 2; do
		[ -c /dev/tenstorrent/$i ] || { diag "no /dev/tenstorrent/$i"; return 1; }
		bus=$(basename "$(readlink -f "$CLASS/tenstorrent!$i/device/subsystem")")
		[ "$bus" = tenstorrent_sim ] || { diag "card $i on bus '$bus'"; return 1; }
	done
}
check sim_cards_create_cards test_sim_cards

# 4: an out-of-range sim_cards fails the load with a message
test_sim_cards_max() {
	unload
	dmesg -c >/dev/null
	if modprobe tenstorrent sim_cards=33 2>/dev/null; then
		diag "sim_cards=33 loaded"
		return 1
	fi
	[ ! -d /sys/module/tenstorrent ] || { diag "module left loaded"; return 1; }
	dmesg | grep -q 'sim_cards=33 is over the maximum' ||
		{ diag "no message in the kernel log"; return 1; }
}
check sim_cards_over_max_refused test_sim_cards_max

edu=$(edu_device)

# 5: a PCI function bound as a Wormhole becomes a card under that function
test_pci_wormhole() {
	unload
	modprobe tenstorrent || return 1
	echo "1234 11e8 ffffffff ffffffff 0 0 1" > $PCIDRV/new_id || return 1
	ret=0
	if [ "$(readlink -f "$edu/driver")" != "$(readlink -f $PCIDRV)" ]; then
		diag "edu not bound"; ret=1
	elif [ "$(readlink -f "$CLASS/tenstorrent!0/device")" != "$(readlink -f "$edu")" ]; then
		diag "tenstorrent!0 is not under $edu"; ret=1
	elif [ ! -c /dev/tenstorrent/0 ]; then
		diag "no /dev/tenstorrent/0"; ret=1
	fi
	echo "$(basename "$edu")" > $PCIDRV/unbind
	echo "1234 11e8" > $PCIDRV/remove_id
	n=$(cards)
	[ "$n" -eq 0 ] || { diag "$n cards left after unbind"; ret=1; }
	return $ret
}

# 6: a function bound as a Grayskull is refused, with a message
test_pci_grayskull() {
	unload
	modprobe tenstorrent || return 1
	dmesg -c >/dev/null
	echo "1234 11e8 ffffffff ffffffff 0 0 3" > $PCIDRV/new_id || return 1
	ret=0
	if [ -e "$edu/driver" ]; then diag "grayskull bound"; ret=1; fi
	n=$(cards)
	[ "$n" -eq 0 ] || { diag "$n cards for a grayskull"; ret=1; }
	dmesg | grep -q 'Grayskull is not supported' || { diag "no message"; ret=1; }
	echo "1234 11e8" > $PCIDRV/remove_id
	return $ret
}

if [ -z "$edu" ]; then
	skip pci_bind_wormhole "no qemu edu device (qemu -device edu)"
	skip pci_grayskull_refused "no qemu edu device (qemu -device edu)"
else
	check pci_bind_wormhole test_pci_wormhole
	check pci_grayskull_refused test_pci_grayskull
fi

# 7: rmmod is refused while a card's file is open, and the card stays
# usable; 8: once the file is closed, rmmod works
test_unload_busy() {
	unload
	modprobe tenstorrent sim_cards=1 || return 1
	exec 3</dev/tenstorrent/0 || return 1
	if rmmod tenstorrent 2>/dev/null; then
		diag "rmmod succeeded with /dev/tenstorrent/0 open"
		return 1
	fi
	[ -d /sys/module/tenstorrent ] || { diag "module gone"; return 1; }
	out=$("$(dirname "$0")/tt_workload" --query -d 0) ||
		{ diag "card 0 unusable: $out"; return 1; }
	echo "$out" | grep -q '^card 0 (query): 2 open files$' ||
		{ diag "card 0 after the refused rmmod: $out"; return 1; }
}
check unload_refused_while_open test_unload_busy

test_unload_after_close() {
	exec 3<&-
	rmmod tenstorrent || return 1
	[ ! -d /sys/module/tenstorrent ] || { diag "module still loaded"; return 1; }
}
check unload_after_close test_unload_after_close

# 9: leave the module as we found it
test_restore() {
	unload
	[ -z "$orig_sim" ] || modprobe tenstorrent sim_cards="$orig_sim"
}
check restore_module test_restore

exit $failed

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The udev rules (udev/60-tenstorrent.rules) as systemd-udevd applies them:
# every /dev/tenstorrent/N is 0660 group tenstorrent, so a member of the
# group can open it and anyone else cannot; each simulated card has
# /dev/tenstorrent/by-path/sim-ttsimN and a PCI card by-path/pci-<address>,
# tried on a qemu "edu" device (1234:11e8) bound through new_id, whose link
# goes away with the card. Needs root, a running systemd-udevd with the
# rules installed, and a card; does not load or unload the module.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

CLASS=/sys/class/tenstorrent
PCIDRV=/sys/bus/pci/drivers/tenstorrent
BYPATH=/dev/tenstorrent/by-path
RULES=60-tenstorrent.rules

skip_all() {
	echo "1..0 # SKIP $1"
	exit $KSFT_SKIP
}

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v udevadm >/dev/null 2>&1 || skip_all "no udevadm"
pidof systemd-udevd >/dev/null 2>&1 || skip_all "systemd-udevd is not running"
rules=""
for d in /etc/udev/rules.d /run/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
	[ -e "$d/$RULES" ] && rules=$d/$RULES && break
done
[ -n "$rules" ] || skip_all "$RULES is not installed"
ls -d $CLASS/tenstorrent!* >/dev/null 2>&1 || skip_all "no tenstorrent cards"

settle() {
	udevadm settle --timeout=30 || diag "udevadm settle failed"
}

# The cards' numbers: N of each /sys/class/tenstorrent/tenstorrent!N
card_ids() {
	for c in $CLASS/tenstorrent!*; do
		[ -e "$c" ] && echo "${c##*!}"
	done
}

# card_of SYSFS_DEVICE: N of the card whose parent is that device, if any
card_of() {
	want=$(readlink -f "$1")
	for n in $(card_ids); do
		if [ "$(readlink -f "$CLASS/tenstorrent!$n/device")" = "$want" ]; then
			echo "$n"
			return 0
		fi
	done
	return 1
}

echo "TAP version 13"
echo "1..6"
diag "rules: $rules"
settle
first=$(card_ids | head -n 1)
node=/dev/tenstorrent/$first

# 1: every node is rw for root and the tenstorrent group, nothing for others
test_node_mode() {
	ret=0
	for n in $(card_ids); do
		got=$(stat -c '%a %G' "/dev/tenstorrent/$n") || { ret=1; continue; }
		if [ "$got" != "660 tenstorrent" ]; then
			diag "/dev/tenstorrent/$n is '$got', want '660 tenstorrent'"
			ret=1
		fi
	done
	return $ret
}
check node_mode_0660_group_tenstorrent test_node_mode

# 2: each simulated card has by-path/sim-ttsimN pointing at its own node
sim_cards=0
test_sim_links() {
	ret=0
	for n in $(card_ids); do
		parent=$(readlink -f "$CLASS/tenstorrent!$n/device")
		bus=$(basename "$(readlink -f "$parent/subsystem")")
		[ "$bus" = tenstorrent_sim ] || continue
		sim_cards=$((sim_cards + 1))
		link=$BYPATH/sim-$(basename "$parent")
		got=$(readlink -f "$link")
		if [ "$got" != "/dev/tenstorrent/$n" ]; then
			diag "$link -> '$got', want /dev/tenstorrent/$n"
			ret=1
		fi
	done
	return $ret
}
if test_sim_links; then
	if [ $sim_cards -gt 0 ]; then
		ok sim_by_path_links
	else
		skip sim_by_path_links "no simulated cards"
	fi
else
	fail sim_by_path_links
fi

# 3: a member of the group opens a node for reading and writing, as a
# runtime does
test_member_opens() {
	out=$(su -s /bin/sh tt -c "true <> $node" 2>&1) && return 0
	diag "tt: $out"
	return 1
}
if ! id -Gn tt 2>/dev/null | grep -qw tenstorrent; then
	skip group_member_opens_node "no user tt in group tenstorrent"
else
	check group_member_opens_node test_member_opens
fi

# 4: a user outside the group cannot even open it for reading (su itself
# must work, or the refusal proves nothing)
test_other_refused() {
	if ! su -s /bin/sh nobody -c true; then
		diag "su nobody failed"
		return 1
	fi
	if su -s /bin/sh nobody -c "true < $node" 2>/dev/null; then
		diag "nobody opened $node"
		return 1
	fi
}
check other_user_cannot_open test_other_refused

# 5, 6: a PCI card gets by-path/pci-<domain:bus:dev.fn>, gone with the card
edu=$(edu_device)

test_pci_link() {
	echo "1234 11e8 ffffffff ffffffff 0 0 1" > $PCIDRV/new_id || return 1
	settle
	n=$(card_of "$edu") || { diag "no card under $edu"; return 1; }
	link=$BYPATH/pci-$bdf
	got=$(readlink -f "$link")
	if [ "$got" != "/dev/tenstorrent/$n" ]; then
		diag "$link -> '$got', want /dev/tenstorrent/$n"
		return 1
	fi
	got=$(stat -c '%a %G' "/dev/tenstorrent/$n")
	[ "$got" = "660 tenstorrent" ] || { diag "PCI card node is '$got'"; return 1; }
}

test_pci_link_removed() {
	ret=0
	[ ! -e "$edu/driver" ] || echo "$bdf" > $PCIDRV/unbind || ret=1
	echo "1234 11e8" > $PCIDRV/remove_id || ret=1
	settle
	if [ -e "$BYPATH/pci-$bdf" ] || [ -L "$BYPATH/pci-$bdf" ]; then
		diag "$BYPATH/pci-$bdf left behind"
		ret=1
	fi
	return $ret
}

if [ -z "$edu" ]; then
	skip pci_by_path_link "no qemu edu device (qemu -device edu)"
	skip pci_by_path_link_removed "no qemu edu device (qemu -device edu)"
elif [ -e "$edu/driver" ]; then
	drv=$(basename "$(readlink -f "$edu/driver")")
	skip pci_by_path_link "edu device already bound to $drv"
	skip pci_by_path_link_removed "edu device already bound to $drv"
else
	bdf=$(basename "$edu")
	check pci_by_path_link test_pci_link
	check pci_by_path_link_removed test_pci_link_removed
fi

exit $failed

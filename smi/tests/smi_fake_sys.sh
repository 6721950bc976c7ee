# SPDX-License-Identifier: GPL-2.0-only
# A made-up /sys with the tree the driver (ABI 2) makes, for running
# tt-smi unchanged on a host without the driver, in a private mount
# namespace (unshare --mount) with SYSTEMD_DEVICE_VERIFY_SYSFS=0 so that
# libudev accepts a /sys that is not sysfs. Sourced by smi-host-bench and
# smi-host-test:
#   fake_sys_mount                  a tmpfs on /sys, the driver's directories
#   fake_card I PARENT TYPE         card I under /sys/devices/PARENT (a PCI
#                                   path or ttsimI): class link, device and
#                                   subsystem links, uevent, every attribute
#                                   (0, the sizes below), debugfs I/ with
#                                   the tables' headers only
#   fake_card_dir I                 prints card I's directory
# FAKE_TYPES, FAKE_HEADER: the buffer types, the processes header line.
# shellcheck shell=sh

FAKE_TYPES="dram l1 system_memory l1_small trace cb kernel"
FAKE_HEADER="pid uid comm buffers"
for t in $FAKE_TYPES; do FAKE_HEADER="$FAKE_HEADER $t"; done
for t in $FAKE_TYPES; do FAKE_HEADER="$FAKE_HEADER ${t}_peak"; done
fake_dram_total=12884901888
fake_l1_total=124125184
fake_system_memory_total=68719476736

fake_sys_mount() {
	mount -t tmpfs -o mode=0755 tt-smi-fake /sys
	mkdir -p /sys/class/tenstorrent /sys/kernel/debug/tenstorrent /sys/bus \
		/sys/module/tenstorrent
}

fake_card_dir() {
	readlink -f "/sys/class/tenstorrent/tenstorrent!$1"
}

fake_card() {
	fc_d=/sys/devices/$2/tenstorrent/tenstorrent!$1
	mkdir -p "$fc_d"
	ln -s "$(echo "$fc_d" | sed 's|^/sys/||; s|[^/]*|..|g')/class/tenstorrent" "$fc_d/subsystem"
	ln -s ../../../"${2##*/}" "$fc_d/device"
	printf 'MAJOR=245\nMINOR=%d\nDEVNAME=tenstorrent/%d\n' "$1" "$1" >"$fc_d/uevent"
	echo "245:$1" >"$fc_d/dev"
	for t in $FAKE_TYPES; do
		echo 0 >"$fc_d/${t}_allocated"
		echo 0 >"$fc_d/${t}_peak"
	done
	for m in dram l1 system_memory; do
		eval "echo \$fake_${m}_total" >"$fc_d/${m}_total"
	done
	echo "$3" >"$fc_d/card_type"
	echo 0 >"$fc_d/buffers"
	echo 0 >"$fc_d/open_files"
	ln -s "../../devices/$2/tenstorrent/tenstorrent!$1" "/sys/class/tenstorrent/tenstorrent!$1"
	mkdir "/sys/kernel/debug/tenstorrent/$1"
	echo "$FAKE_HEADER" >"/sys/kernel/debug/tenstorrent/$1/processes"
	echo "pid buffer_id type size refs age_ms" >"/sys/kernel/debug/tenstorrent/$1/buffers"
}

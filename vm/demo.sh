#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo run inside the VM by `make demo`: the driver loaded with two
# simulated cards, two runtimes reporting buffers to it, and what a user
# sees while they run and after they exit.
set -eu
bin=/usr/lib/tenstorrent/selftests/tenstorrent

echo "== kernel $(uname -r), module:"
grep '^tenstorrent ' /proc/modules
echo
echo "== device nodes (udev: group tenstorrent, stable names):"
ls -lR /dev/tenstorrent/
echo
echo "== sysfs:"
for d in /sys/class/tenstorrent/*; do
	printf '%s  dev=%s  parent=%s (bus %s)\n' "$(basename "$d")" "$(cat "$d/dev")" \
		"$(basename "$(readlink -f "$d/device")")" \
		"$(basename "$(readlink -f "$d/device/subsystem")")"
done
echo
echo "== workload: one runtime per card, holding its buffers for 3 s"
"$bin/tt_workload" -d 0 -n 64 -l 256 -s 3 > /tmp/w0.log &
"$bin/tt_workload" -d 1 -n 16 -l 64 -s 3 > /tmp/w1.log &
sleep 2
echo "-- tt-smi:"
tt-smi
echo
echo "-- sysfs, what anyone can read:"
for d in /sys/class/tenstorrent/*; do
	printf '%s (%s, %s B DRAM): dram_allocated=%s l1_allocated=%s buffers=%s open_files=%s\n' \
		"$(basename "$d")" "$(cat "$d/card_type")" "$(cat "$d/dram_total")" \
		"$(cat "$d/dram_allocated")" "$(cat "$d/l1_allocated")" \
		"$(cat "$d/buffers")" "$(cat "$d/open_files")"
done
echo "-- debugfs, per process (root):"
for n in 0 1; do
	echo "card $n:"
	sed 's/^/  /' /sys/kernel/debug/tenstorrent/$n/processes
done
echo "-- debugfs, the first buffers of card 0:"
head -n 4 /sys/kernel/debug/tenstorrent/0/buffers | sed 's/^/  /'
wait
echo
echo "== the runtimes' own view before exiting:"
cat /tmp/w0.log /tmp/w1.log
echo
echo "== after they exited, the driver dropped their records (peaks stay):"
for d in /sys/class/tenstorrent/*; do
	printf '%s: dram_allocated=%s dram_peak=%s buffers=%s open_files=%s\n' \
		"$(basename "$d")" "$(cat "$d/dram_allocated")" \
		"$(cat "$d/dram_peak")" "$(cat "$d/buffers")" "$(cat "$d/open_files")"
done
echo
echo "== tt-smi after they exited:"
tt-smi
echo
echo "== kernel log:"
dmesg | grep 'tracked buffers' || true

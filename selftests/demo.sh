#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo run inside the VM by `make demo`: the driver loaded with two
# simulated cards, a small workload against them, and what a user sees.
set -eu

echo "== kernel: $(uname -r)"
echo "== module:"
grep '^tenstorrent ' /proc/modules
echo "== device nodes:"
ls -l /dev/tenstorrent/
echo "== sysfs:"
for d in /sys/class/tenstorrent/*; do
	printf '%s  dev=%s  parent=%s (bus %s)\n' "$(basename "$d")" "$(cat "$d/dev")" \
		"$(basename "$(readlink -f "$d/device")")" \
		"$(basename "$(readlink -f "$d/device/subsystem")")"
done
echo "== workload: two processes holding each card open"
for n in 0 1; do
	sleep 2 < /dev/tenstorrent/$n &
done
sleep 1
echo "module references while open: $(cat /sys/module/tenstorrent/refcnt)"
wait
echo "module references after close: $(cat /sys/module/tenstorrent/refcnt)"

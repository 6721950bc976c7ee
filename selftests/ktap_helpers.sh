# SPDX-License-Identifier: GPL-2.0-only
# KTAP results for the shell kselftests, sourced by each:
#   . "$(dirname "$0")/ktap_helpers.sh"
# then `check NAME COMMAND...` (one result from a command's status), `ok`,
# `fail`, `skip NAME REASON`, `diag TEXT`; exit with $failed at the end;
# `edu_device` finds the qemu PCI device the PCI tests bind as a card.
# shellcheck shell=sh

KSFT_SKIP=4
num=0
failed=0

ok() { num=$((num + 1)); echo "ok $num $1"; }
fail() { num=$((num + 1)); echo "not ok $num $1"; failed=1; }
skip() { num=$((num + 1)); echo "ok $num $1 # SKIP $2"; }
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}
diag() { echo "# $*"; }

# edu_device: print the sysfs directory of the first qemu "edu" PCI device
# (1234:11e8), which the tests bind through new_id as a card; fail when the
# VM has none
edu_device() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor" 2>/dev/null)" = 0x1234 ] &&
		   [ "$(cat "$d/device" 2>/dev/null)" = 0x11e8 ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# SPDX-License-Identifier: GPL-2.0-only
# KTAP results for the shell kselftests, sourced by each:
#   . "$(dirname "$0")/ktap_helpers.sh"
# then `check NAME COMMAND...` (one result from a command's status), `ok`,
# `fail`, `skip NAME REASON`, `diag TEXT`; exit with $failed at the end.
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

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The line logged when a file is released with records still live is
# rate-limited per user: one user closing such files fast (user tt, 30
# files one after another from one process) gets at most a burst of lines,
# and cannot hide another user's leak (user nobody, once, right after),
# whose line must be in the kernel log. Once the limit's interval is over
# with no file of the user open, the driver forgets the user and logs how
# many lines it held back. A process name in the line is escaped: a
# newline or a space in it cannot start a line or a field of its own.
# Drives the driver with tt_hold and tt_comm_hold (installed beside this
# script). Needs root and card 0.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

here=$(dirname "$0")
dev=/dev/tenstorrent/0
CHURN=30
BURST=10	# the kernel's DEFAULT_RATELIMIT_BURST

if [ "$(id -u)" != 0 ] || [ ! -c $dev ] || ! id tt >/dev/null 2>&1 ||
   ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root, $dev and the users tt and nobody"
	exit $KSFT_SKIP
fi

echo "TAP version 13"
echo "1..5"

dir=$(mktemp -d)
mode=$(stat -c %a $dev)
trap 'chmod "$mode" $dev; rm -rf "$dir"' EXIT
chmod 1777 "$dir"
# nobody is in no group that may open the card
chmod 0666 $dev

i=0
while [ $i -lt $CHURN ]; do
	printf 'open %s\nalloc 0x%x 4096 0\nclose\n' $dev $((i + 1))
	i=$((i + 1))
done >"$dir/churn"
printf 'open %s\nalloc 0x1 4096 1\nclose\n' $dev >"$dir/once"

# Each tt_hold execs in the shell whose pid it saves: the pid it runs as.
su tt -c "echo \$\$ >$dir/pid_a; exec $here/tt_hold <$dir/churn >$dir/out_a"
su nobody -c "echo \$\$ >$dir/pid_b; exec $here/tt_hold <$dir/once >$dir/out_b"
pid_a=$(cat "$dir/pid_a")
pid_b=$(cat "$dir/pid_b")

ok_replies() { [ "$(grep -c '^ok$' "$1")" = "$2" ]; }
check every_call_done eval \
	'ok_replies "$dir/out_a" $((CHURN * 3)) && ok_replies "$dir/out_b" 3'

lines_a=$(dmesg | grep -c "pid $pid_a (tt_hold) closed with 1 tracked buffers still live")
diag "user tt: $lines_a leak lines logged for $CHURN files"
check churning_user_rate_limited [ "$lines_a" -ge 1 -a "$lines_a" -le $BURST ]
check other_user_leak_logged eval \
	'dmesg | grep -q "pid $pid_b (tt_hold) closed with 1 tracked buffers still live: DRAM 0 B, L1 4096 B"'

# within TRIES DELAY CMD...: CMD succeeds within TRIES tries DELAY s apart
within() {
	tries=$1 delay=$2 n=0
	shift 2
	while [ $n -lt "$tries" ]; do
		"$@" && return 0
		sleep "$delay"
		n=$((n + 1))
	done
	return 1
}
in_dmesg() { dmesg | grep -qF -- "$1"; }

# the interval is 5 s; the driver forgets the user within the next 5
check held_back_lines_counted within 12 1 in_dmesg \
	"uid 1000: $((CHURN - lines_a)) more files closed with tracked buffers still live, not logged"

# "x\n1 0 sys" holding a buffer, killed: one line, the name escaped
su nobody -c "exec $here/tt_comm_hold 780a31203020737973 0 4096 0x2" \
	>"$dir/comm" 2>&1 &
within 50 0.1 grep -q '^ready ' "$dir/comm"
pid_c=$(awk '/^ready /{ print $2 }' "$dir/comm")
kill -9 "$pid_c" 2>/dev/null
wait
leak_escaped() {
	within 20 0.1 in_dmesg \
		"pid $pid_c (x\\0121\\0400\\040sys) closed with 1 tracked buffers" &&
		return 0
	dmesg | grep -A1 "pid $pid_c " | sed 's/^/# /'
	return 1
}
check leak_line_name_escaped eval '[ -n "$pid_c" ] && leak_escaped'
exit $failed

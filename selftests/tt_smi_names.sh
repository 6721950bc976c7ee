#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Process names an unprivileged user chooses, against root's views: the
# VM's half of the test. User tt starts one process per name of
# hostile-names.txt (newlines, tabs, commas, quotes, backslashes, terminal
# escapes, bytes that are not UTF-8, 15 bytes and more, none at all), each
# setting its name with prctl(PR_SET_NAME) before it opens card 0 and
# records one 5 MiB buffer (tt_comm_hold), each in a cgroup of its own
# named after its name (a cgroup's name is its creator's choice too: any
# bytes but NUL, '/' and newline, here '_' for those). Root then saves
# what it sees
# into the output directory: debugfs processes and buffers, the card's
# sysfs totals, tt-smi's human table (plain, -b, coloured, and a --watch
# frame on a pseudo-terminal), --csv, --json and --prometheus, each with
# its exit status and standard error, and the table of --group-by cgroup;
# then, the processes gone, tt-smi
# --prometheus with no card and with no driver.
#
# Every check needs a real parser and runs on the host, on these files
# (smi/tests/smi-names-check: Python's csv and json modules, promtool):
# this script prints "#" lines only, and exits 1 when a process did not
# start, 4 (skip) when it cannot run.
#   tt_smi_names.sh [OUTDIR]    (default /out, vm-run --out's; else a tmp dir)
# Needs root, user tt, tt-smi in PATH, debugfs and cards 0 and 1 (sim_cards=2).
set -u

here=$(dirname "$0")
D=/sys/class/tenstorrent
DBG=/sys/kernel/debug/tenstorrent
tmp=/tmp/tt_smi_names.$$
out=${1:-}
if [ -z "$out" ]; then
	if [ -d /out ]; then out=/out; else out=$tmp/out; fi
fi

if [ "$(id -u)" != 0 ] || ! command -v tt-smi >/dev/null || ! id tt >/dev/null 2>&1 ||
   [ ! -d "$D/tenstorrent!1" ] || [ ! -d $DBG/sim ]; then
	echo "# SKIP needs root, user tt, tt-smi, $DBG/sim and cards 0 and 1"
	exit 4
fi
mkdir -p "$out" $tmp

# The names, one a line of hostile-names.txt as printf %b arguments (the
# last line, empty, a process without a name); the kernel keeps 15 bytes.
# One holder per name, as user tt; holders gets a line per name:
# "name=HEX ready PID HEXCOMM", the name asked for and the one kept.
# Without a writable cgroup2 the holders stay where they are, and no
# cgroups file is written.
CG=/sys/fs/cgroup
cgtop=/tt-names.$$
cgok=0
[ -w $CG/cgroup.procs ] && mkdir $CG$cgtop && cgok=1
n=0
while IFS= read -r spec; do
	hex=$(printf '%b' "$spec" | od -An -tx1 | tr -d ' \n')
	echo "$hex" > $tmp/hex.$n
	cmd="exec su -s /bin/sh tt -c \"exec $here/tt_comm_hold '$hex' 0 5242880 $((0x900000000 + n * 0x1000000))\""
	if [ $cgok = 1 ]; then
		cg="$cgtop/$n-$(printf '%b' "$spec" | tr '\n/' '__')"
		mkdir "$CG$cg"
		printf '%s' "$cg" | od -An -tx1 | tr -d ' \n' > $tmp/cghex.$n
		# the holder inherits the cgroup: it is in it when it opens the card
		cmd="echo \$\$ > \"\$1/cgroup.procs\" && $cmd"
		sh -c "$cmd" sh "$CG$cg" > $tmp/ready.$n 2>&1 &
	else
		sh -c "$cmd" > $tmp/ready.$n 2>&1 &
	fi
	echo $! >> $tmp/pids
	n=$((n + 1))
done < "$here/hostile-names.txt"
# all ready within 20 s
t=0
while [ "$(cat $tmp/ready.* | grep -c '^ready ')" -lt $n ] && [ $t -lt 200 ]; do
	sleep 0.1
	t=$((t + 1))
done
i=0
while [ $i -lt $n ]; do
	echo "name=$(cat $tmp/hex.$i) $(cat $tmp/ready.$i)"
	i=$((i + 1))
done > "$out/holders"
# "PID HEX": each holder's cgroup path
if [ $cgok = 1 ]; then
	i=0
	while [ $i -lt $n ]; do
		echo "$(awk '{ print $2 }' $tmp/ready.$i) $(cat $tmp/cghex.$i)"
		i=$((i + 1))
	done > "$out/cgroups"
fi
ready=$(grep -c ' ready ' "$out/holders")
echo "# $ready of $n processes hold a buffer"

# root's views while they hold their buffers
cat $DBG/0/processes > "$out/processes"
cat $DBG/0/buffers > "$out/buffers"
for a in open_files buffers dram_allocated; do
	echo "$a $(cat "$D/tenstorrent!0/$a")"
done > "$out/sysfs"
run() {
	name=$1
	shift
	"$@" > "$out/$name" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
	echo "# $*: exit $(cat "$out/$name.rc")"
}
run human tt-smi
run bytes tt-smi -b
run color tt-smi --color=always
run csv tt-smi --csv
run json tt-smi --json
run prom tt-smi --prometheus-processes
run group tt-smi -d 0 --group-by cgroup
# a --watch frame on a pseudo-terminal, as a user at a terminal sees it,
# ended after 3 s by a SIGINT
TERM=xterm script -q -c 'timeout -s INT 3 tt-smi --watch 1' "$out/watch" \
	> /dev/null 2>&1 < /dev/null

# shellcheck disable=SC2046
kill $(cat $tmp/pids) 2>/dev/null
wait 2>/dev/null
# the holders' cgroups, empty now (a holder is killed: su may linger)
if [ $cgok = 1 ]; then
	for d in $CG$cgtop/*; do
		t=0
		while ! rmdir "$d" 2>/dev/null && [ $t -lt 50 ]; do
			sleep 0.1
			t=$((t + 1))
		done
	done
	rmdir $CG$cgtop
fi

# no card, then no driver: still a document, which says so
ncards=$(ls -d $D/tenstorrent!* | wc -l)
i=0
while [ $i -lt "$ncards" ]; do
	echo $i > $DBG/sim/del_card
	i=$((i + 1))
done
run prom-nocard tt-smi --prometheus
rmmod tenstorrent
run prom-nodriver tt-smi --prometheus
modprobe tenstorrent sim_cards="$ncards"

rm -rf $tmp
[ "$ready" = $n ]

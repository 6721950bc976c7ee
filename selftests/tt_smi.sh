#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# tt-smi against the driver: while a workload (tt_workload, installed beside
# this script) holds buffers of four types on card 0, every output mode
# (human, bytes, JSON, CSV, Prometheus) shows what sysfs says; as a user
# other than root the totals show with that user's own processes (from
# fdinfo) and a hint; each process's cgroup and the container it names,
# and --group-by cgroup;
# errors give a message and a non-zero exit (but --prometheus, which writes
# a document saying there is no card or driver); --watch picks up a card
# added at run time.
# Needs root, tt-smi in PATH, debugfs and two cards (sim_cards=2).
set -u

. "$(dirname "$0")/ktap_helpers.sh"

here=$(dirname "$0")
D=/sys/class/tenstorrent
DBG=/sys/kernel/debug/tenstorrent
tmp=/tmp/tt_smi.$$

if [ "$(id -u)" != 0 ] || ! command -v tt-smi >/dev/null ||
   [ ! -d "$D/tenstorrent!1" ] || [ ! -d $DBG/sim ]; then
	echo "1..0 # SKIP needs root, tt-smi, $DBG/sim and cards 0 and 1"
	exit $KSFT_SKIP
fi

echo "TAP version 13"
echo "1..36"
mkdir -p $tmp

C0="$D/tenstorrent!0"
# it holds its records until killed below, however slow the kernel is
"$here/tt_workload" -d 0 -n 8 -l 4 -c 2 -k 1 -s 3600 > $tmp/workload.out &
wpid=$!
# wait for the workload's 15 records (up to 5 s)
i=0
while [ "$(cat "$C0/buffers")" != 15 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
# its cgroup, as the driver shows it (the VM runs it in the root's)
wcg=$(sed -n 's/^0:://p' /proc/$wpid/cgroup)
dram=$(cat "$C0/dram_allocated")
l1=$(cat "$C0/l1_allocated")
total=$(cat "$C0/dram_total")
l1total=$(cat "$C0/l1_total")
systotal=$(cat "$C0/system_memory_total")
bufs=$(cat "$C0/buffers")
files=$(cat "$C0/open_files")
sys=$(cat "$C0/system_memory_allocated")
l1s=$(cat "$C0/l1_small_allocated")
trace=$(cat "$C0/trace_allocated")
cb=$(cat "$C0/cb_allocated")
kernel=$(cat "$C0/kernel_allocated")
# what the human table shows of each memory: its types together
dramused=$((dram + trace))
l1used=$((l1 + l1s + cb + kernel))
# the card's peaks (earlier tests may have raised them)
peaks=
for t in dram l1 system_memory l1_small trace cb kernel; do
	peaks="$peaks,\"${t}_peak\":$(cat "$C0/${t}_peak")"
done
csvpeaks=$(echo "$peaks" | sed 's/"[a-z_1]*"://g')
echo "# card 0: dram=$dram l1=$l1 system_memory=$sys l1_small=$l1s trace=$trace cb=$cb kernel=$kernel totals=$total,$l1total,$systotal buffers=$bufs open_files=$files peaks=$peaks"

"$here/tt_workload" --query -d 0 > $tmp/query 2>&1; qrc=$?
tt-smi > $tmp/human 2>&1; hrc=$?
tt-smi -b -o +USAGE,SYSTEM_MEMORY_USED,BUFFERS,OPEN_FILES,L1_SMALL,TRACE,KERNEL,SYSTEM_MEMORY,DRAM_PEAK > $tmp/bytes 2>&1
tt-smi --json > $tmp/json 2>&1; jrc=$?
tt-smi --csv > $tmp/csv 2>&1
tt-smi --prometheus-processes > $tmp/prom 2>&1; prc=$?
tt-smi --prometheus > $tmp/promcards 2>&1
su -s /bin/sh tt -c 'tt-smi' > $tmp/user 2>&1; urc=$?
su -s /bin/sh tt -c 'tt-smi --json' > $tmp/userjson 2>&1

# the ioctl query (QUERY_ALLOC_STATS from another open file) agrees with
# sysfs, which every output mode below is compared with
query_ok() {
	[ $qrc = 0 ] &&
	[ "$(awk '$1 == "DRAM" { print $2 }' $tmp/query)" = "$dram" ] &&
	[ "$(awk '$1 == "L1" { print $2 }' $tmp/query)" = "$l1" ] &&
	[ "$(awk '$1 == "TRACE" { print $2 }' $tmp/query)" = "$trace" ] &&
	[ "$(awk '$1 == "CB" { print $2 }' $tmp/query)" = "$cb" ] &&
	[ "$(awk '$1 == "KERNEL" { print $2 }' $tmp/query)" = "$kernel" ] &&
	[ "$(awk 'NF == 6 && $2 ~ /^[0-9]+$/ { n += $3 } END { print n }' $tmp/query)" = "$bufs" ]
}
check sysfs_matches_ioctl_query query_ok

# human: a row per card, DRAM and L1 used / total in binary units, the
# process row, all in 80 columns
human_ok() {
	[ $hrc = 0 ] &&
	grep -Eq '^ +0 +ttsim0 +sim +[0-9.]+ MiB / 12.0 GiB +[0-9.]+ +[0-9.]+ [KM]iB / 118 MiB +[0-9.]+$' $tmp/human &&
	grep -Eq '^ +1 +ttsim1 +sim +0 B / 12.0 GiB ' $tmp/human &&
	grep -Eq "^ *$wpid +root +tt_workload +0 " $tmp/human &&
	awk 'length($0) > 80 { exit 1 }' $tmp/human
}
check human_table_cards_and_process human_ok

# -b and every other column (-o +...): exact bytes equal to sysfs; the
# process row has DRAM, L1, CB, buffers, then L1 small, trace, kernel,
# system memory and its DRAM peak
bytes_ok() {
	grep -Eq "^ +0 +ttsim0 +sim +$dramused / $total +[0-9.]+ +$l1used / $l1total +[0-9.]+ +\[[#.]+\] +$sys +$bufs +$files\$" $tmp/bytes &&
	grep -Eq "^ *$wpid +root +tt_workload +0 +$dram +$l1 +$cb +$bufs +0 +0 +$kernel +0 +$dram\$" $tmp/bytes
}
check bytes_match_sysfs bytes_ok

# JSON: one object, keys in schema order, values equal to sysfs; card 0's
# rows add up to its totals
flat=$(tr -d ' \n' < $tmp/json)
json_ok() {
	[ $jrc = 0 ] &&
	case $flat in '{"schema":5,"timestamp":"'20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]'Z","processes_available":true,"processes_scope":"all","cards":['*']}') true ;; *) false ;; esac &&
	[ "$(grep -c '{' $tmp/json)" = "$(grep -c '}' $tmp/json)" ] &&
	echo "$flat" | grep -q "{\"card\":0,\"bus_id\":\"ttsim0\",\"card_type\":\"sim\",\"dram_percent\":[0-9.]*,\"l1_percent\":[0-9.]*,\"dram_total\":$total,\"l1_total\":$l1total,\"system_memory_total\":$systotal,\"dram_allocated\":$dram,\"l1_allocated\":$l1,\"system_memory_allocated\":$sys,\"l1_small_allocated\":$l1s,\"trace_allocated\":$trace,\"cb_allocated\":$cb,\"kernel_allocated\":$kernel$peaks,\"buffers\":$bufs,\"open_files\":$files,\"processes_match\":true}"
}
check json_cards_match_sysfs json_ok
json_procs_ok() {
	echo "$flat" | grep -q "\"processes\":\[.*{\"pid\":$wpid,\"user\":\"root\",\"uid\":0,\"comm\":\"tt_workload\",\"card\":0,\"buffers\":$bufs,\"dram\":$dram,\"l1\":$l1,\"system_memory\":0,\"l1_small\":0,\"trace\":0,\"cb\":$cb,\"kernel\":$kernel,\"dram_peak\":$dram,\"l1_peak\":$l1,\"system_memory_peak\":0,\"l1_small_peak\":0,\"trace_peak\":0,\"cb_peak\":$cb,\"kernel_peak\":$kernel,\"cgroup\":\"$wcg\",\"container_runtime\":null,\"container_id\":null,\"pod_uid\":null}"
}
check json_processes_match_debugfs json_procs_ok
json_card1() {
	echo "$flat" | grep -q '{"card":1,"bus_id":"ttsim1","card_type":"sim","dram_percent":0.0,"l1_percent":0.0,"dram_total":12884901888,"l1_total":124125184,"system_memory_total":[1-9][0-9]*,"dram_allocated":0,'
}
check json_second_card json_card1

# CSV: header in schema order, one line per card, then processes; card
# 0's rows add up to its totals
csv_ok() {
	[ "$(sed -n 1p $tmp/csv)" = "CARD,BUS_ID,CARD_TYPE,DRAM_PERCENT,L1_PERCENT,DRAM_TOTAL,L1_TOTAL,SYSTEM_MEMORY_TOTAL,DRAM_ALLOCATED,L1_ALLOCATED,SYSTEM_MEMORY_ALLOCATED,L1_SMALL_ALLOCATED,TRACE_ALLOCATED,CB_ALLOCATED,KERNEL_ALLOCATED,DRAM_PEAK,L1_PEAK,SYSTEM_MEMORY_PEAK,L1_SMALL_PEAK,TRACE_PEAK,CB_PEAK,KERNEL_PEAK,BUFFERS,OPEN_FILES,PROCESSES_MATCH" ] &&
	grep -Eq "^0,ttsim0,sim,[0-9.]+,[0-9.]+,$total,$l1total,$systotal,$dram,$l1,$sys,$l1s,$trace,$cb,$kernel$csvpeaks,$bufs,$files,true\$" $tmp/csv &&
	grep -Eq "^1,ttsim1,sim,0.0,0.0,12884901888,124125184,[1-9][0-9]*,0," $tmp/csv &&
	grep -Eq "^$wpid,root,0,tt_workload,0,$bufs,$dram,$l1,0,0,0,$cb,$kernel,$dram,$l1,0,0,0,$cb,$kernel,$wcg,,,\$" $tmp/csv
}
check csv_matches_sysfs csv_ok

# Prometheus: promtool when the VM has it, else the format by hand
prom_format() {
	[ $prc = 0 ] || return 1
	if command -v promtool >/dev/null; then
		promtool check metrics < $tmp/prom
		return
	fi
	# every line a HELP, a TYPE or a sample; each sample's family typed
	# before it; no family typed twice. Names: [a-z_][a-z0-9_]* (l1_total)
	pname='[a-z_][a-z0-9_]*'
	grep -Ev "^# HELP $pname .+\$|^# TYPE $pname gauge\$|^$pname(\{$pname=\"[^\"]*\"(,$pname=\"[^\"]*\")*\})? [0-9]+\$" \
		$tmp/prom > $tmp/prom.bad
	[ ! -s $tmp/prom.bad ] || { sed 's/^/# bad: /' $tmp/prom.bad; return 1; }
	[ -z "$(sed -n 's/^# TYPE \([a-z0-9_]*\) .*/\1/p' $tmp/prom | sort | uniq -d)" ] || return 1
	awk '/^# TYPE/ { t[$3] = 1; next } /^#/ { next }
	     { m = $1; sub(/\{.*/, "", m); if (!(m in t)) exit 1 }' $tmp/prom
}
check prometheus_format prom_format
prom_values() {
	grep -qx "tenstorrent_memory_allocated_bytes{card=\"0\",type=\"dram\"} $dram" $tmp/prom &&
	grep -qx "tenstorrent_memory_allocated_bytes{card=\"0\",type=\"l1\"} $l1" $tmp/prom &&
	grep -qx "tenstorrent_memory_allocated_bytes{card=\"0\",type=\"cb\"} $cb" $tmp/prom &&
	grep -qx "tenstorrent_memory_allocated_bytes{card=\"0\",type=\"kernel\"} $kernel" $tmp/prom &&
	grep -qx "tenstorrent_dram_total_bytes{card=\"0\"} $total" $tmp/prom &&
	grep -qx "tenstorrent_l1_total_bytes{card=\"0\"} $l1total" $tmp/prom &&
	grep -qx "tenstorrent_system_memory_total_bytes{card=\"0\"} $systotal" $tmp/prom &&
	grep -qx "tenstorrent_buffers{card=\"0\"} $bufs" $tmp/prom &&
	grep -qx "tenstorrent_open_files{card=\"0\"} $files" $tmp/prom &&
	wl="card=\"0\",pid=\"$wpid\",uid=\"0\",comm=\"tt_workload\",cgroup=\"$wcg\",container_id=\"\",pod_uid=\"\""
	grep -qx "tenstorrent_process_memory_allocated_bytes{$wl,type=\"dram\"} $dram" $tmp/prom &&
	grep -qx "tenstorrent_process_memory_allocated_bytes{$wl,type=\"cb\"} $cb" $tmp/prom &&
	grep -qx "tenstorrent_process_memory_peak_bytes{$wl,type=\"kernel\"} $kernel" $tmp/prom &&
	grep -qx 'tenstorrent_cards 2' $tmp/prom &&
	grep -qx 'tenstorrent_driver_loaded 1' $tmp/prom &&
	grep -qx 'tenstorrent_processes_match{card="0"} 1' $tmp/prom &&
	grep -qx 'tenstorrent_card_info{card="0",bus_id="ttsim0",card_type="sim"} 1' $tmp/prom &&
	grep -qx 'tenstorrent_card_info{card="1",bus_id="ttsim1",card_type="sim"} 1' $tmp/prom &&
	grep -Eqx 'tenstorrent_smi_build_info\{version="[0-9.]+",tracking_abi="2"\} 1' $tmp/prom &&
	[ "$(grep -c 'bus_id=' $tmp/prom)" = "$(grep -c '^tenstorrent_card_info{' $tmp/prom)" ] &&
	grep -qx "tenstorrent_buffers{card=\"0\"} $bufs" $tmp/promcards &&
	! grep -q '^tenstorrent_process_' $tmp/promcards
}
check prometheus_values_match_sysfs prom_values

# as user tt: totals, none of root's processes, and the hint
user_ok() {
	[ $urc = 0 ] &&
	grep -Eq '^ +0 +ttsim0 +sim +[0-9.]+ MiB / 12.0 GiB ' $tmp/user &&
	grep -q 'No process of yours has a card open' $tmp/user &&
	grep -q 'only your own are shown; run as root' $tmp/user &&
	! grep -q 'tt_workload' $tmp/user
}
check user_sees_totals_and_hint user_ok
user_json() {
	tr -d ' \n' < $tmp/userjson | grep -q "^{\"schema\":5,\"timestamp\":\"[0-9T:.-]*Z\",\"processes_available\":true,\"processes_scope\":\"own\",\"cards\":\[{\"card\":0,.*\"dram_allocated\":$dram,.*\"processes_match\":null}.*\"processes\":\[\]}\$"
}
check user_json_none_of_roots user_json

# as user tt, with a process of tt's own on card 1 (3 DRAM and 2 L1
# buffers): that process, from its fdinfo, with its exact bytes, and
# still none of root's
own_ok() {
	upf=/tmp/tt_smi_upid.$$
	rm -f $upf
	su -s /bin/sh tt -c "echo \$\$ > $upf; exec $here/tt_workload -d 1 -n 3 -l 2 -s 3600" > /dev/null &
	supid=$!
	i=0
	while [ "$(cat "$D/tenstorrent!1/buffers")" != 5 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	upid=$(cat $upf)
	ul1=$(cat "$D/tenstorrent!1/l1_allocated")
	su -s /bin/sh tt -c 'tt-smi -b' > $tmp/own 2>&1; orc=$?
	su -s /bin/sh tt -c 'tt-smi -j' > $tmp/ownjson 2>&1
	kill $upid 2>/dev/null
	{ wait $supid; } 2>/dev/null
	echo "# tt's workload $upid, l1 $ul1"
	[ $orc = 0 ] &&
	grep -Eq "^ *$upid +tt +tt_workload +1 +3145728 +$ul1 +0 +5\$" $tmp/own &&
	! grep -Eq "^ *$wpid " $tmp/own &&
	grep -q 'only your own are shown' $tmp/own &&
	tr -d ' \n' < $tmp/ownjson | grep -q "\"processes\":\[{\"pid\":$upid,\"user\":\"tt\",\"uid\":[0-9]*,\"comm\":\"tt_workload\",\"card\":1,\"buffers\":5,\"dram\":3145728,\"l1\":$ul1,"
}
if id tt >/dev/null 2>&1; then
	check user_sees_own_process_from_fdinfo own_ok
else
	ok "user_sees_own_process_from_fdinfo # SKIP no user tt"
fi

# two workloads in a cgroup named as docker names a container's, one in a
# Kubernetes pod's: their rows name the container and pod, and
# --group-by cgroup sums the two into one row in every format
CID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
PUID=8a1f3c2e-1b2d-4e5f-9a8b-7c6d5e4f3a2b
DCG=/system.slice/docker-$CID.scope
KCG=/kubepods.slice/kubepods-pod$(echo $PUID | tr - _).slice
cg_start() {
	mkdir -p /sys/fs/cgroup$1 &&
	sh -c "echo \$\$ > /sys/fs/cgroup$1/cgroup.procs && exec $here/tt_workload $2 -s 3600" > /dev/null &
}
cg_wait() {
	i=0
	while [ "$(cat "$D/tenstorrent!1/buffers")" != "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
if [ -w /sys/fs/cgroup/cgroup.procs ]; then
	cg_start $DCG "-d 1 -n 2 -l 1"; c1=$!
	cg_start $DCG "-d 1 -n 1 -l 1"; c2=$!
	cg_start $KCG "-d 1 -n 4 -l 0"; c3=$!
	cg_wait 9
	tt-smi -j > $tmp/cgjson 2>&1
	tt-smi > $tmp/cghuman 2>&1
	tt-smi -o PID,COMM,CGROUP > $tmp/cgcol 2>&1
	tt-smi -b -d 1 --group-by cgroup > $tmp/group 2>&1; grc=$?
	tt-smi -j -d 1 --group-by cgroup > $tmp/groupjson 2>&1
	tt-smi -p -d 1 --group-by cgroup > $tmp/groupprom 2>&1
	kill $c1 $c2 $c3
	{ wait $c1 $c2 $c3; } 2>/dev/null
	rmdir /sys/fs/cgroup$DCG /sys/fs/cgroup$KCG /sys/fs/cgroup/kubepods.slice \
	      /sys/fs/cgroup/system.slice 2>/dev/null
	cgl1=$(( $(tr -d ' \n' < $tmp/groupjson | sed -n 's/.*"cgroup":"[^"]*docker[^"]*","processes":2,"open_files":2,"buffers":5,"dram":3145728,"l1":\([0-9]*\),.*/\1/p') + 0 ))
	echo "# the docker cgroup's L1: $cgl1"
fi
cg_rows() {
	flatcg=$(tr -d ' \n' < $tmp/cgjson)
	echo "$flatcg" | grep -q "\"pid\":$c1,[^}]*\"cgroup\":\"$DCG\",\"container_runtime\":\"docker\",\"container_id\":\"$CID\",\"pod_uid\":null}" &&
	echo "$flatcg" | grep -q "\"pid\":$c3,[^}]*\"cgroup\":\"$KCG\",\"container_runtime\":null,\"container_id\":null,\"pod_uid\":\"$PUID\"}" &&
	grep -Eq "^ *$c1 +root +tt_workload +docker:0123456789ab +1 " $tmp/cghuman &&
	grep -Eq "^ *$c3 +root +tt_workload +pod:$PUID +1 " $tmp/cghuman &&
	grep -Eq "^ *$wpid +root +tt_workload +0 " $tmp/cghuman &&
	grep -Eq "^ *$c1 +tt_workload +$DCG\$" $tmp/cgcol &&
	head -n 1 $tmp/cgcol | grep -Eq '^ *PID +COMMAND +CGROUP$'
}
cg_groups() {
	sed 's/^/# /' $tmp/group
	[ $grc = 0 ] && [ $cgl1 -gt 0 ] &&
	grep -Eq "^ +1 +/system.slice/docker-0123456789ab\.\.\.\.scope +docker:0123456789ab +2 +5 +3145728 +$cgl1 " $tmp/group &&
	grep -Eq "^ +1 +\.\.\.pod$(echo $PUID | tr - _)\.slice +pod:$PUID +1 +4 +4194304 +0 " $tmp/group &&
	tr -d ' \n' < $tmp/groupjson | grep -q "\"cgroups\":\[.*{\"card\":1,\"cgroup\":\"$KCG\",\"processes\":1,\"open_files\":1,\"buffers\":4,\"dram\":4194304,\"l1\":0,\"system_memory\":0,\"l1_small\":0,\"trace\":0,\"cb\":0,\"kernel\":0,\"container_runtime\":null,\"container_id\":null,\"pod_uid\":\"$PUID\"}" &&
	grep -qx "tenstorrent_cgroup_memory_allocated_bytes{card=\"1\",cgroup=\"$DCG\",container_id=\"$CID\",pod_uid=\"\",type=\"dram\"} 3145728" $tmp/groupprom &&
	grep -qx "tenstorrent_cgroup_processes{card=\"1\",cgroup=\"$DCG\",container_id=\"$CID\",pod_uid=\"\"} 2" $tmp/groupprom
}
if [ -w /sys/fs/cgroup/cgroup.procs ]; then
	check cgroup_names_container_and_pod cg_rows
	check group_by_cgroup_sums_its_processes cg_groups
else
	ok "cgroup_names_container_and_pod # SKIP no writable cgroup2"
	ok "group_by_cgroup_sums_its_processes # SKIP no writable cgroup2"
fi

# -d selects cards
sel_ok() {
	out=$(tt-smi -d 1 -b) &&
	echo "$out" | grep -Eq '^ +1 +ttsim1 ' && ! echo "$out" | grep -Eq '^ +0 +ttsim0 ' &&
	[ "$(tt-smi -d 0,1 --csv | grep -c ',ttsim')" = 2 ]
}
check device_selection sel_ok
# by the device node and by bus id, in one list
sel_node_ok() {
	out=$(tt-smi -d /dev/tenstorrent/1,ttsim0 --csv) &&
	[ "$(echo "$out" | grep -c ',ttsim')" = 2 ] &&
	out=$(tt-smi -d /dev/tenstorrent/1 --csv) &&
	[ "$(echo "$out" | grep -c ',ttsim1,')" = 1 ] && ! echo "$out" | grep -q ',ttsim0,'
}
check device_selection_by_node_and_bus sel_node_ok
# --version: tt-smi's, and the ABI the driver answers on a read-only open
version_ok() {
	out=$(tt-smi --version) &&
	echo "$out" | grep -Eq '^tt-smi [0-9]+\.[0-9]+\.[0-9]+$' &&
	echo "$out" | grep -q '^driver: tracking ABI 2$'
}
check version_asks_the_driver version_ok

kill $wpid
wait $wpid 2>/dev/null

# errors: no such card, bad option; nothing on stdout, a message, exit != 0
err_case() {
	want=$1
	shift
	tt-smi "$@" > $tmp/err.out 2> $tmp/err.msg
	rc=$?
	[ $rc = "$want" ] && [ ! -s $tmp/err.out ] && [ -s $tmp/err.msg ] ||
		{ echo "# tt-smi $*: exit $rc: $(cat $tmp/err.msg)"; return 1; }
}
check no_such_card_exit_3 err_case 3 -d 9
check no_such_card_json_exit_3 err_case 3 -d 9 --json
check bad_option_exit_1 err_case 1 --no-such-option
check two_formats_exit_1 err_case 1 --json --csv

check man_page grep -q '^.TH TT-SMI' /usr/share/man/man1/tt-smi.1
check help_exit_0 sh -c 'tt-smi --help | grep -q -- --prometheus'

# --watch: redraws, picks up a card added meanwhile, exits 0 on SIGINT
watch_ok() {
	tt-smi --watch 0.5 -b > $tmp/watch 2>&1 &
	pid=$!
	sleep 1.5
	echo 0 > $DBG/sim/new_card || return 1
	sleep 1.5
	kill -INT $pid
	wait $pid
	rc=$?
	echo 2 > $DBG/sim/del_card 2>/dev/null
	[ $rc = 0 ] && grep -q ' ttsim2 ' $tmp/watch &&
	[ "$(grep -c '^tt-smi ' $tmp/watch)" -ge 3 ] && return 0
	echo "# tt-smi --watch: exit $rc, $(grep -c '^tt-smi ' $tmp/watch) screens"
	grep -v '^ *[0-9]' $tmp/watch | tail -n 5 | sed 's/^/# /'
	return 1
}
check watch_sees_new_card watch_ok
# --watch wakes early on a change (POLLPRI): a 60 s interval still shows
# the workload's buffers within 2 s
watch_early() {
	tt-smi --watch 60 -b -d 0 > $tmp/watch2 2>&1 &
	pid=$!
	sleep 1
	"$here/tt_workload" -d 0 -n 3 -l 0 -s 2 > /dev/null &
	w=$!
	sleep 1.5
	kill -INT $pid
	wait $pid
	rc=$?
	wait $w
	[ $rc = 0 ] && [ "$(grep -c '^tt-smi ' $tmp/watch2)" -ge 2 ]
}
check watch_wakes_on_change watch_early

# on a terminal (a pseudo-terminal from busybox script): the alternate
# screen is entered and left again, the cursor shown again, colours used
esc=$(printf '\033')
watch_tty() {
	(sleep 2; kill -INT "$(pidof tt-smi)") &
	k=$!
	TERM=xterm script -q -c 'tt-smi --watch 0.5' $tmp/tty.out > /dev/null 2>&1
	wait $k
	grep -q "$esc\[?1049h" $tmp/tty.out && grep -q "$esc\[?1049l" $tmp/tty.out &&
	grep -q "$esc\[?25h" $tmp/tty.out && grep -q "$esc\[[0-9;]*m" $tmp/tty.out
}
check watch_on_a_terminal_restores_it watch_tty

# on a pseudo-terminal 80 columns wide, in the C locale: every line of the
# frames fits, and each card's history is there in ASCII marks (a
# workload's buffers held on card 0: the highest, #), no byte above 0x7f
watch_80() {
	"$here/tt_workload" -d 0 -n 2 -l 1 -s 4 > /dev/null &
	w=$!
	sleep 0.5
	(sleep 2.5; kill -INT "$(pidof tt-smi)") &
	k=$!
	LANG=C LC_ALL=C TERM=xterm script -q -c 'stty cols 80; tt-smi --watch 0.5' \
		$tmp/tty80.out > /dev/null 2>&1
	wait $k
	wait $w
	sed "s/$esc\[[0-9;?]*[a-zA-Z]//g; s/$esc([AB0]//g" $tmp/tty80.out | tr -d '\r' > $tmp/tty80.txt
	grep -E '^ +[0-9]* (DRAM|L1) ' $tmp/tty80.txt | tail -n 4 | sed 's/^/# /'
	grep -q '^DRAM and L1 used, the last 60 samples 0.5s apart' $tmp/tty80.txt &&
	grep -Eq '^   0 DRAM +#+ [0-9.]+ MiB$' $tmp/tty80.txt &&
	! LC_ALL=C grep -q "$(printf '[\200-\377]')" $tmp/tty80.out &&
	# script(1)'s own first and last lines aside
	awk '/^Script (started|done) / { next }
	     length($0) > 80 { print "# " length($0) ": " $0; bad = 1 } END { exit bad }' $tmp/tty80.txt
}
check watch_80_columns_c_locale_history watch_80
# into a pipe: no escape sequence at all
no_escapes() {
	TERM=xterm tt-smi > $tmp/pipe.out 2>&1 && ! grep -q "$esc" $tmp/pipe.out
}
check no_escapes_into_a_pipe no_escapes

# a card's attribute unreadable for the user: a message naming the
# problem, exit 1, and no partial output (no half JSON document)
perm_denied() {
	a="$D/tenstorrent!0/dram_allocated"
	chmod 0400 "$a" || return 1
	su -s /bin/sh tt -c 'tt-smi --json' > $tmp/perm.out 2> $tmp/perm.err
	rc=$?
	chmod 0444 "$a"
	[ $rc = 1 ] && grep -qi 'permission denied' $tmp/perm.err &&
	[ ! -s $tmp/perm.out ]
}
if id tt >/dev/null 2>&1; then
	check permission_denied_exit_1 perm_denied
else
	ok "permission_denied_exit_1 # SKIP no user tt"
fi
# a card appearing and vanishing while tt-smi reads: every run exits 0
# (cards 0 and 1 stay) with a whole JSON document, never a crash
vanishing() {
	touch $tmp/churning
	(
		while [ -e $tmp/churning ]; do
			echo 0 > $DBG/sim/new_card 2>/dev/null
			sleep 0.03
			echo 2 > $DBG/sim/del_card 2>/dev/null
			sleep 0.02
		done
	) &
	churn=$!
	bad=0
	seen=0
	i=0
	while [ $i -lt 30 ]; do
		rc=0
		tt-smi --json > $tmp/van.out 2>$tmp/van.err || rc=$?
		if [ $rc != 0 ] || [ "$(head -c 1 $tmp/van.out)" != "{" ] ||
		   [ "$(tail -n 1 $tmp/van.out)" != "}" ]; then
			# say what went wrong: the exit status and the message
			echo "# snapshot $i: exit $rc, $(wc -c < $tmp/van.out) bytes"
			sed 's/^/# stderr: /' $tmp/van.err
			bad=1
		fi
		grep -q '"ttsim2"' $tmp/van.out && seen=$((seen + 1))
		i=$((i + 1))
	done
	rm -f $tmp/churning
	wait $churn
	echo 2 > $DBG/sim/del_card 2>/dev/null
	echo "# the churned card was in $seen of 30 snapshots"
	[ $bad = 0 ]
}
check card_vanishing_mid_read vanishing

# no card (all simulated cards removed), then the module unloaded
ncards=$(ls -d $D/tenstorrent!* | wc -l)
for i in 0 1; do echo $i > $DBG/sim/del_card; done
check no_cards_exit_3 err_case 3
check no_cards_json_exit_3 err_case 3 --json
# --prometheus still writes a document, which says so, and exits 0
prom_none() {
	tt-smi --prometheus > $tmp/none.out 2> $tmp/none.msg || return 1
	grep -qx 'tenstorrent_cards 0' $tmp/none.out &&
	grep -qx "tenstorrent_driver_loaded $1" $tmp/none.out && [ -s $tmp/none.msg ]
}
check no_cards_prometheus_document prom_none 1
rmmod tenstorrent
check module_not_loaded_exit_2 err_case 2
check module_not_loaded_message grep -q 'not loaded' $tmp/err.msg
check module_not_loaded_prometheus_document prom_none 0
modprobe tenstorrent sim_cards="$ncards"

rm -rf $tmp
exit $failed

#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (Debian's slurmctld,
# slurmd and munge, state under ${SLURM_LOCAL_DIR:-/tmp/oscsim-slurm}), so
# that deploy/slurm-array.sh can be tested for real (TestSlurmArray in
# cmd/oscsim). Needs root (or sudo) for the packages and the daemons;
# idempotent: does nothing when a partition already answers. Exits 0 with a
# message when it cannot start one, and the test then skips.
#
# What it changes: installs the packages above, writes /etc/slurm/slurm.conf
# (keeping an existing one as slurm.conf.oscsim-backup), creates a munge key
# if there is none, and starts munged, slurmctld and slurmd. It records what
# it started in $dir/started; `slurm-local.sh stop` stops exactly those (by
# their PID files), puts slurm.conf back and removes a munge key it
# created, which scripts/test.sh does when the tests end.
set -uo pipefail

dir=${SLURM_LOCAL_DIR:-/tmp/oscsim-slurm}
if [ "${1:-}" = stop ]; then
	[ -f "$dir/started" ] || exit 0
	while read -r name pidfile; do
		pid=$(cat "$pidfile" 2>/dev/null) || continue
		# Only the process this script started: the PID must still be $name.
		if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$name" ]; then
			kill "$pid" 2>/dev/null && echo "slurm-local: stopped $name ($pid)" >&2
		fi
	done <"$dir/started"
	rm -f "$dir/started"
	if [ -f /etc/slurm/slurm.conf.oscsim-backup ]; then
		mv -f /etc/slurm/slurm.conf.oscsim-backup /etc/slurm/slurm.conf
	elif [ -f "$dir/wrote-conf" ]; then
		rm -f /etc/slurm/slurm.conf
	fi
	rm -f "$dir/wrote-conf"
	if [ -f "$dir/created-key" ]; then
		rm -f /etc/munge/munge.key "$dir/created-key"
	fi
	exit 0
fi

if command -v sinfo >/dev/null && sinfo -h -o %a 2>/dev/null | grep -q up; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "slurm-local: not root; TestSlurmArray will skip" >&2
	exit 0
fi
pkgs=()
for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p"); done
if [ ${#pkgs[@]} -gt 0 ]; then
	echo "slurm-local: installing ${pkgs[*]}" >&2
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; } >&2 ||
		{ echo "slurm-local: apt-get failed; TestSlurmArray will skip" >&2; exit 0; }
fi

mkdir -p "$dir"/state "$dir"/spool "$dir"/log /etc/slurm
if [ -f /etc/slurm/slurm.conf ] && [ ! -f "$dir/wrote-conf" ] && [ ! -f /etc/slurm/slurm.conf.oscsim-backup ]; then
	cp -p /etc/slurm/slurm.conf /etc/slurm/slurm.conf.oscsim-backup
fi
touch "$dir/wrote-conf"
host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
# proctrack/linuxproc and task/none: no cgroups needed, as in a container.
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=oscsim-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	if [ ! -s /etc/munge/munge.key ]; then
		dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null && touch "$dir/created-key"
	fi
	chown munge:munge /etc/munge/munge.key 2>/dev/null
	chmod 400 /etc/munge/munge.key
	mkdir -p /run/munge && chown munge:munge /run/munge
	/usr/sbin/munged --force --pid-file="$dir/munged.pid" 2>/dev/null ||
		runuser -u munge -- /usr/sbin/munged --force --pid-file="$dir/munged.pid" ||
		{ echo "slurm-local: munged did not start; TestSlurmArray will skip" >&2; exit 0; }
	echo "munged $dir/munged.pid" >>"$dir/started"
fi
if ! pgrep -x slurmctld >/dev/null; then
	slurmctld && echo "slurmctld $dir/slurmctld.pid" >>"$dir/started"
fi
if ! pgrep -x slurmd >/dev/null; then
	slurmd && echo "slurmd $dir/slurmd.pid" >>"$dir/started"
fi
for _ in $(seq 30); do
	if sinfo -h -o %a 2>/dev/null | grep -q up && sinfo -h -o %T 2>/dev/null | grep -q idle; then
		echo "slurm-local: single-node Slurm up ($host, $cpus CPUs)" >&2
		exit 0
	fi
	sleep 1
done
echo "slurm-local: Slurm did not come up (logs in $dir/log); TestSlurmArray will skip" >&2
exit 0

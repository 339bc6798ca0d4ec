#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (Debian's slurmctld,
# slurmd and munge, state under ${SLURM_LOCAL_DIR:-/tmp/oscsim-slurm}), so
# that deploy/slurm-array.sh can be tested for real (TestSlurmArray in
# cmd/oscsim). Needs root (or sudo) for the packages and the daemons;
# idempotent: does nothing when a partition already answers. Exits 0 with a
# message when it cannot start one, and the test then skips.
set -uo pipefail

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

dir=${SLURM_LOCAL_DIR:-/tmp/oscsim-slurm}
mkdir -p "$dir"/state "$dir"/spool "$dir"/log /etc/slurm
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
	[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
	chown munge:munge /etc/munge/munge.key 2>/dev/null
	chmod 400 /etc/munge/munge.key
	mkdir -p /run/munge && chown munge:munge /run/munge
	/usr/sbin/munged --force 2>/dev/null || runuser -u munge -- /usr/sbin/munged --force ||
		{ echo "slurm-local: munged did not start; TestSlurmArray will skip" >&2; exit 0; }
fi
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 30); do
	if sinfo -h -o %a 2>/dev/null | grep -q up && sinfo -h -o %T 2>/dev/null | grep -q idle; then
		echo "slurm-local: single-node Slurm up ($host, $cpus CPUs)" >&2
		exit 0
	fi
	sleep 1
done
echo "slurm-local: Slurm did not come up (logs in $dir/log); TestSlurmArray will skip" >&2
exit 0

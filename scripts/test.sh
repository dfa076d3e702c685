#!/usr/bin/env bash
# npm test: the whole test suite from a fresh clone. Installs npm dependencies, builds, installs missing
# system packages with apt-get when root, starts the services the tests need (PostgreSQL, Podman's Docker
# API), runs lint and every test, and stops what it started. Extra arguments go to vitest.
# Without root, tests whose system component is missing skip with a one-line reason — unless CI=true,
# where a missing component fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

ensure_npm_dependencies
build_all

run_dir=$(mktemp -d /tmp/deft-test.XXXXXX)
chmod 755 "$run_dir"
cleanup() {
  local rc=$?
  [ -n "${PODMAN_STARTED:-}" ] && bash scripts/lib/podman.sh stop "$run_dir/podman" >/dev/null 2>&1 || true
  bash scripts/lib/postgres.sh stop "$run_dir/pg" >/dev/null 2>&1 || true
  rm -rf "$run_dir"
  exit $rc
}
trap cleanup EXIT INT TERM

# --- system components -------------------------------------------------------------------------------
ensure_system_packages '/usr/lib/postgresql/*/bin/initdb:postgresql' || true
ensure_system_packages bwrap:bubblewrap slirp4netns:slirp4netns setpriv:util-linux || true
ensure_system_packages podman:podman runc:runc /bin/busybox:busybox-static || true
# The web UI's end-to-end tests drive Debian's Chromium through playwright-core (never `playwright install`).
ensure_system_packages chromium:chromium || true

if url=$(bash scripts/lib/postgres.sh start "$run_dir/pg"); then
  export DEFT_TEST_DATABASE_URL="$url"
  echo "==> PostgreSQL for tests at ${url}" >&2
else
  echo "==> PostgreSQL unavailable: PostgreSQL tests will skip (or fail when CI=true)" >&2
fi

if [ -f scripts/lib/podman.sh ] && command -v podman >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  if docker_host=$(bash scripts/lib/podman.sh start "$run_dir/podman"); then
    PODMAN_STARTED=1
    export DEFT_TEST_DOCKER_HOST="$docker_host"
    if bash scripts/lib/runtime-image.sh "$run_dir/podman" localhost/deft-runtime:test >"$run_dir/image.log" 2>&1; then
      export DEFT_TEST_DOCKER_IMAGE=localhost/deft-runtime:test
      echo "==> Podman Docker API at ${docker_host}, image ${DEFT_TEST_DOCKER_IMAGE}" >&2
    else
      echo "==> runtime image build failed; docker provider tests will skip (or fail when CI=true)" >&2
      tail -20 "$run_dir/image.log" >&2 || true
    fi
  fi
fi

# --- checks ------------------------------------------------------------------------------------------
echo "==> lint (biome)" >&2
npx biome check --diagnostic-level=error .
echo "==> typecheck (benchmarks)" >&2
npx tsc -p bench/tsconfig.json

echo "==> tests (vitest)" >&2
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$run_dir/vitest.json" "$@"
status=$?
set -e
node scripts/lib/test-summary.mjs "$run_dir/vitest.json" || true
exit $status

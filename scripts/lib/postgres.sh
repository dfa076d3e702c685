#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the test suite: initdb in a temp dir as a non-root user
# (postgres refuses to run as root), loopback only, on a free port. Prints the DATABASE_URL on stdout.
# Usage: postgres.sh start <dir>   |   postgres.sh stop <dir>
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data dir}

pg_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/initdb" ] && { echo "$b"; return; }; done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

run_as() { # run a command as the unprivileged owner of the data dir when we are root
  if [ "$(id -u)" = 0 ]; then setpriv --reuid="$PG_UID" --regid="$PG_GID" --clear-groups -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    bin=$(pg_bin) || { echo "postgres.sh: PostgreSQL server binaries not found" >&2; exit 3; }
    if [ "$(id -u)" = 0 ]; then
      if id postgres >/dev/null 2>&1; then PG_UID=$(id -u postgres); PG_GID=$(id -g postgres); else PG_UID=65534; PG_GID=65534; fi
    fi
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown "$PG_UID:$PG_GID" "$dir"; chmod 700 "$dir"
    port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    run_as "$bin/initdb" -D "$dir/data" -U deft --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=300 -c fsync=on -c synchronous_commit=on" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    run_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U deft deft_test
    echo "postgres://deft@127.0.0.1:$port/deft_test"
    ;;
  stop)
    bin=$(pg_bin) || exit 0
    [ -d "$dir/data" ] || exit 0
    if [ "$(id -u)" = 0 ]; then PG_UID=$(stat -c %u "$dir/data"); PG_GID=$(stat -c %g "$dir/data"); fi
    run_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac

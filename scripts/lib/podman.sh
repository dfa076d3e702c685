#!/usr/bin/env bash
# Starts (or stops) a throw-away `podman system service` speaking the Docker Engine API, with all of its state
# in <dir>, configured for this kind of machine (sandbox-on-linux.md §3): runc (crun fails on hybrid
# cgroups), ulimits podman may set without CAP_SYS_RESOURCE, and no default network. Prints the DOCKER_HOST.
# Usage: podman.sh start <dir>   |   podman.sh stop <dir>
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?state dir}

export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"

case "$cmd" in
  start)
    command -v podman >/dev/null || { echo "podman.sh: podman is not installed" >&2; exit 3; }
    mkdir -p "$dir"/{graph,run,tmp,volumes,static,networks}
    cat >"$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/graph"
runroot = "$dir/run"
CONF
    cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
netns = "none"
[engine]
runtime = "runc"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"
static_dir = "$dir/static"
events_logger = "file"
events_logfile_path = "$dir/events.log"
cgroup_manager = "cgroupfs"
[network]
network_config_dir = "$dir/networks"
CONF
    # conmon writes files such as "oom" into the service's working directory: keep them in <dir>.
    (cd "$dir" && exec podman system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1) &
    echo $! >"$dir/service.pid"
    for _ in $(seq 1 200); do
      if curl -sf --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1; then
        echo "unix://$dir/podman.sock"
        exit 0
      fi
      sleep 0.05
    done
    echo "podman.sh: the service did not answer /_ping" >&2
    cat "$dir/service.log" >&2
    exit 1
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -S "$dir/podman.sock" ]; then
      ids=$(curl -sf --unix-socket "$dir/podman.sock" 'http://d/v1.41/containers/json?all=1' | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4 || true)
      for id in $ids; do curl -sf -X DELETE --unix-socket "$dir/podman.sock" "http://d/v1.41/containers/$id?force=1" >/dev/null || true; done
    fi
    if [ -f "$dir/service.pid" ]; then kill "$(cat "$dir/service.pid")" 2>/dev/null || true; fi
    # conmon processes of exec sessions outlive the service (reference §3): kill those that belong to <dir>.
    for pid in $(pgrep -f "conmon.*$dir" || true); do kill -9 "$pid" 2>/dev/null || true; done
    sleep 0.2
    grep " $dir/graph" /proc/mounts | awk '{print $2}' | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
    rm -rf "$dir" /run/containers/networks 2>/dev/null || true
    for cg in /sys/fs/cgroup/*/libpod_parent; do [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true; done
    ;;
esac

#!/usr/bin/env bash
# Builds the runtime image with no registry: a busybox-static + node (with the libraries ldd lists) + the
# runtime bundle root filesystem, imported into Podman. Usage: runtime-image.sh <podman state dir> <tag>
# (the dir given to podman.sh start). For a real Docker engine see docs/runtime-image.md.
set -euo pipefail
dir=${1:?podman state dir}; tag=${2:?image tag}
root=$(cd "$(dirname "$0")/../.." && pwd)
bundle="$root/packages/runtime/dist/bundle"
[ -f "$bundle/runtime.mjs" ] || { echo "runtime-image.sh: build the runtime first (npm run build)" >&2; exit 3; }
busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || { echo "runtime-image.sh: busybox-static is not installed" >&2; exit 3; }
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"

rootfs=$(mktemp -d /tmp/deft-rootfs.XXXXXX)
trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
mkdir -p "$rootfs"/{bin,usr/bin,etc,tmp,workspace,run/deft,opt/deft,root,proc,sys,dev}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
# bash is what the runtime's shell session runs.
node_bin=$(readlink -f "$(command -v node)")
for bin in "$node_bin" /bin/bash; do
  cp "$bin" "$rootfs/usr/bin/$(basename "$bin")"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$rootfs$(dirname "$lib")"; cp -n "$lib" "$rootfs$lib"; done
done
ln -sf /usr/bin/bash "$rootfs/bin/bash"
cp -r "$bundle/." "$rootfs/opt/deft/"
echo 'root:x:0:0:root:/root:/bin/bash' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
echo 'deft-sandbox' >"$rootfs/etc/hostname"
tar -C "$rootfs" -cf "$rootfs.tar" .
podman import \
  --change 'WORKDIR /workspace' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/root' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/usr/bin/node","/opt/deft/runtime.mjs","--socket","/run/deft/runtime.sock","--workspace","/workspace"]' \
  "$rootfs.tar" "$tag" >/dev/null
echo "$tag"

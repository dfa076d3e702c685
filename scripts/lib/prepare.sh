# Shared by scripts/start.sh and scripts/test.sh: install npm dependencies when the lock file changed,
# build, and install missing system packages with apt-get when running as root.

# node-gyp must use the installed Node headers: prebuilt-binary downloads are not reachable everywhere.
if [ -z "${npm_config_nodedir:-}" ] && [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi

ensure_npm_dependencies() {
  local stamp=node_modules/.deft-lock-hash hash
  hash=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return 0; fi
  echo "==> npm ci (dependencies changed or not installed)" >&2
  npm ci --no-audit --no-fund >&2
  echo "$hash" >"$stamp"
}

build_all() {
  echo "==> build" >&2
  npm run --silent build >&2
}

APT_UPDATED=0
# ensure_system_packages "<command-or-path>:<debian package>" ...: installs what is missing when root.
# Returns non-zero (and names what is missing) when something is missing and cannot be installed.
ensure_system_packages() {
  local missing=() spec probe pkg
  for spec in "$@"; do
    probe=${spec%%:*}; pkg=${spec#*:}
    if [[ "$probe" == /* ]]; then compgen -G "$probe" >/dev/null && continue; else command -v "$probe" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages (not root, cannot install): ${missing[*]}" >&2
    return 1
  fi
  echo "==> apt-get install ${missing[*]}" >&2
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq >&2 && APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

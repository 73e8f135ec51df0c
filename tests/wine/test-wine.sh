#!/usr/bin/env bash
# test-wine.sh: the Windows runs, on a Linux machine with Wine (`npm run
# test:wine`; `npm run test:backends` runs the `backends` part). Builds the
# IOCP shim with mingw-w64 into its platform package
# (packages/io-iocp-win32-x64, linked into node_modules by the root's
# overrides), prepares Windows Node (wine-node.sh), checks that the backend
# loads the DLL from there, as a Windows user's install does, and runs, each
# with node.exe under Wine, output to files in $SIO_WINE_LOGS (default
# .ci/logs/wine), one summary line each:
#
#   backends      the conformance suite on iocp and on libuv:
#                   backend iocp (wine): N passed, M failed, K skipped
#                   backend libuv (wine): ...
#   fuzz          the random-argument test of the IOCP DLL and its
#                 library test (found, checked and loaded as on Windows)
#   differential  socket-compat on iocp against the CPython traces
#
#   tests/wine/test-wine.sh [backends|fuzz|differential]...   (default: all)
#
# Without Wine or mingw-w64 it says so in one line and exits 0: the Windows
# runs are an addition to the Linux ones, never a reason to fail there.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOGS=${SIO_WINE_LOGS:-$REPO/.ci/logs/wine}
WINE_NODE=$REPO/tests/wine/wine-node.sh
cd "$REPO" || exit 2

if ! command -v wine >/dev/null 2>&1 && [[ ! -x /usr/lib/wine/wine64 ]]; then
  echo "backend iocp (wine): not run: Wine is not installed (apt-get install wine64 g++-mingw-w64-x86-64)"
  exit 0
fi
if ! command -v "${CXX_win32_x64:-x86_64-w64-mingw32-g++}" >/dev/null 2>&1; then
  echo "backend iocp (wine): not run: mingw-w64 is not installed (apt-get install g++-mingw-w64-x86-64)"
  exit 0
fi

mkdir -p "$LOGS"
# The DLL goes where the monorepo's build puts it (npm run build did, unless
# the compiler was missing then): the platform package.
node packages/io-iocp/scripts/build-native.mjs --target win32-x64 || exit 1
if ! "$WINE_NODE" setup >"$LOGS/setup.log" 2>&1; then
  cat "$LOGS/setup.log"
  echo "test:wine: preparing Windows Node under Wine failed (see above)"
  exit 1
fi

# Found the way a Windows user's install finds it: no override, and no
# from-source build in packages/io-iocp/build (which would come first).
unset SIO_IOCP_LIBRARY
WHERE="the platform package @stackless-io/io-iocp-win32-x64"
"$WINE_NODE" run "$LOGS/doctor.log" packages/runtime/bin/stackless-io.js doctor || true
shim=$(grep -A1 -E '^ +iocp +' "$LOGS/doctor.log" | grep -E '^ +shim: ' | sed -E 's/^ +//')
if [[ $shim != *"($WHERE): shim \"iocp\""* ]]; then
  cat "$LOGS/doctor.log"
  echo "test:wine: the doctor under Wine does not load iocp from $WHERE (see above;" \
    "a from-source packages/io-iocp/build/sio_iocp.dll comes first: delete it)"
  exit 1
fi
echo "iocp (wine): $shim"

status=0

# A path as node.exe sees it: Wine maps the Unix root to drive Z:.
winpath() { printf 'Z:%s' "$1"; }

backends() {
  local b log rc line
  for b in iocp libuv; do
    log="$LOGS/conformance-$b.log"
    rc=0
    SIO_TEST_BACKENDS=$b "$WINE_NODE" run "$log" build/tests/backends/run.js --log "$(winpath "$LOGS/conformance-$b.lines")" || rc=$?
    line=$(grep -E "^backend $b: " "$log" | head -1)
    if [[ -n $line ]]; then
      echo "${line/backend $b:/backend $b (wine):}"
    else
      echo "backend $b (wine): no summary (exit status $rc; 124 is the timeout), see $log"
    fi
    if ((rc != 0)); then
      status=1
      sed -n '/^Failed:/,$p' "$log" | grep -vE '^ +at ' | head -60
    fi
  done
}

fuzz() {
  local log="$LOGS/fuzz-iocp.log" rc=0
  "$WINE_NODE" run "$log" node_modules/mocha/bin/mocha.js --no-config --no-package --reporter spec --timeout 600000 \
    packages/io-iocp/build/test/library.test.js packages/io-iocp/build/test/fuzz.test.js || rc=$?
  local counts
  counts=$(grep -E '^ +[0-9]+ (passing|failing|pending)' "$log" | sed -E 's/^ +//; s/ \(.*//' | paste -sd, - | sed 's/,/, /g')
  echo "fuzz iocp (wine): ${counts:-no mocha summary} (exit status $rc)"
  if ((rc != 0)); then
    status=1
    tail -40 "$log"
  fi
}

# The differential suite: python3 runs here, on Linux, so CPython's traces
# are recorded first (same seed, count and backend) and replayed by the
# Windows process (tests/differential/README.md, "Record and replay").
DIFF_ARGS=(--backend iocp --seed "${SIO_WINE_DIFF_SEED:-1}" --random "${SIO_WINE_DIFF_RANDOM:-300}")

differential() {
  local log="$LOGS/differential-iocp.log" rc=0
  # Wine's Winsock has no AF_UNIX, and the replaying process is not Linux:
  # scenarios that need either skip on both sides (recorded so).
  DIFF_FEATURES_OFF=unix,linux node build/tests/differential/run.js --record "$LOGS/cpython-traces.json" "${DIFF_ARGS[@]}" >"$LOGS/differential-record.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    echo "differential iocp (wine): recording the CPython traces failed (exit status $rc)"
    tail -20 "$LOGS/differential-record.log"
    status=1
    return
  fi
  "$WINE_NODE" run "$log" build/tests/differential/run.js --replay "$(winpath "$LOGS/cpython-traces.json")" "${DIFF_ARGS[@]}" || rc=$?
  local counts
  counts=$(grep -E '^(written_scenarios|random_scenarios|diffs)=' "$log" | paste -sd' ' -)
  echo "differential iocp (wine): ${counts:-no summary} (exit status $rc)"
  if ((rc != 0)); then
    # Every difference is either fixed or listed as intended
    # (tests/differential/intended-differences.json, scoped to iocp), so
    # any other one fails; the log lists them step by step.
    sed -n '/^Differences on iocp/,/^took/p' "$log" | head -80
    status=1
  fi
}

parts=("$@")
((${#parts[@]} == 0)) && parts=(backends fuzz differential)
for p in "${parts[@]}"; do
  case $p in
    backends | fuzz | differential) "$p" ;;
    *)
      echo "usage: $0 [backends|fuzz|differential]..." >&2
      exit 2
      ;;
  esac
done
exit "$status"

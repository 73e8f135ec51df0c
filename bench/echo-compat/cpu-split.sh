#!/bin/bash
# Server CPU per request, split into user and system time: the figure that
# tells our own code (user time: JS, V8, the shim) from the kernel's TCP
# work (system time), which the C server pays as well. On a machine shared
# with other work both move, but user time much less than req/s.
#
#   npm run build && node -e "import('./build/bench/echo/harness.js').then(m => m.compileNative())"
#   bench/echo-compat/cpu-split.sh 1000 node build/examples/echo-server/main.js --port 0
#   bench/echo-compat/cpu-split.sh 1000 build/bench-native/c-epoll-server -p 0
#
# Arguments: the connection count, then the server's command (it must print
# "listening <port>" and serve until killed). The server runs pinned to CPU 0,
# the C load generator of bench/echo (64-byte closed-loop echo, 1 s warm-up,
# CPU_SPLIT_SECONDS (4) measured) on CPU 1. Prints one line:
#   conns=N req_per_s=R user_us_per_req=U sys_us_per_req=S
# where U and S are the server's CPU over every request the generator made
# (warm-up included) from /proc/<pid>/stat (clock ticks of 10 ms).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
conns=$1
shift
out=$(mktemp)
load=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out" "$load"' EXIT
taskset -c 0 "$@" >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 150); do grep -q '^listening' "$out" && break; sleep 0.1; done
port=$(awk '/^listening/ {print $2; exit}' "$out")
[ -n "$port" ] || { echo "the server printed no listening line" >&2; exit 1; }
ticks() { awk '{print $14, $15}' "/proc/$pid/stat"; }
read -r u0 s0 < <(ticks)
timeout 60 taskset -c 1 "$root/build/bench-native/load" -p "$port" -c "$conns" -s 64 \
  -d "${CPU_SPLIT_SECONDS:-4}" -w 1 -t 10 >"$load"
read -r u1 s1 < <(ticks)
hz=$(getconf CLK_TCK)
node -e '
const [line, u0, s0, u1, s1, hz, conns] = process.argv.slice(1);
const l = JSON.parse(line);
const n = l.total_requests;
const us = (t) => ((Number(t) * 1e6) / Number(hz) / n).toFixed(2);
console.log(`conns=${conns} req_per_s=${Math.round(l.req_per_s)} user_us_per_req=${us(u1 - u0)} sys_us_per_req=${us(s1 - s0)}`);
' "$(tail -n 1 "$load")" "$u0" "$s0" "$u1" "$s1" "$hz" "$conns"

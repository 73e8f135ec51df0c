#!/bin/bash
# Two builds of the socket-compat echo example measured at the same time:
# both servers pinned to CPU 0, a C load generator for each on CPU 1, so
# that whatever else the machine runs slows both alike. Prints each one's
# server CPU per request (user, system, total, in µs), the figure to compare
# before/after on a shared machine, where runs made one after the other
# swing more than the difference looked for.
#
#   bench/echo-compat/cpu-pair.sh 1000 /path/to/before /path/to/after
#
# Arguments: the connection count (each server gets that many), then two
# checkouts with a build (build/examples/echo-server/main.js). The load
# generator is this checkout's build/bench-native/load (compileNative() of
# bench/echo/harness.ts makes it; npm run bench:echo does). 1 s warm-up, CPU_PAIR_SECONDS
# (4) measured; the CPU covers every request, warm-up included
# (/proc/<pid>/stat, clock ticks of 10 ms).
set -euo pipefail
conns=$1
a=$(cd "$2" && pwd)
b=$(cd "$3" && pwd)
load="$(cd "$(dirname "$0")/../.." && pwd)/build/bench-native/load"
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
for side in a b; do
  dir=${!side}
  taskset -c 0 node "$dir/build/examples/echo-server/main.js" --port 0 >"$tmp/$side.out" 2>/dev/null &
  pids+=($!)
done
for _ in $(seq 150); do
  grep -q '^listening' "$tmp/a.out" && grep -q '^listening' "$tmp/b.out" && break
  sleep 0.1
done
port() { awk '/^listening/ {print $2; exit}' "$tmp/$1.out"; }
ticks() { awk '{print $14 + 0, $15 + 0}' "/proc/$1/stat"; }
before_a=$(ticks "${pids[0]}")
before_b=$(ticks "${pids[1]}")
secs=${CPU_PAIR_SECONDS:-4}
timeout 60 taskset -c 1 "$load" -p "$(port a)" -c "$conns" -s 64 -d "$secs" -w 1 -t 10 >"$tmp/a.load" &
la=$!
timeout 60 taskset -c 1 "$load" -p "$(port b)" -c "$conns" -s 64 -d "$secs" -w 1 -t 10 >"$tmp/b.load" &
lb=$!
wait "$la" "$lb"
after_a=$(ticks "${pids[0]}")
after_b=$(ticks "${pids[1]}")
node -e '
const [hz, conns, ...rest] = process.argv.slice(1);
const fs = require("node:fs");
for (const [name, file, t0, t1] of [[rest[0], rest[1], rest[2], rest[3]], [rest[4], rest[5], rest[6], rest[7]]]) {
  const l = JSON.parse(fs.readFileSync(file, "utf8").trim().split("\n").pop());
  const [u0, s0] = t0.split(" ").map(Number);
  const [u1, s1] = t1.split(" ").map(Number);
  const us = (t) => ((t * 1e6) / Number(hz) / l.total_requests).toFixed(2);
  console.log(`${name} conns=${conns} req_per_s=${Math.round(l.req_per_s)} user_us_per_req=${us(u1 - u0)} sys_us_per_req=${us(s1 - s0)} total_us_per_req=${us(u1 - u0 + s1 - s0)}`);
}
' "$(getconf CLK_TCK)" "$conns" "$2" "$tmp/a.load" "$before_a" "$after_a" "$3" "$tmp/b.load" "$before_b" "$after_b"

#!/usr/bin/env bash
# FerretDB's PostgreSQL backend against its SQLite backend, side by side in one run (issue 17's
# "point reads at least 10x"): the mongodb service is restarted on one backend, then the other,
# P S P S ... P (<rounds> SQLite runs between <rounds>+1 PostgreSQL runs), and every run is the same
# command, `mongodb bench --quick` (3 trials; point reads through the Node driver and through the Go
# driver, tools/mongo-pointread). Prints each run's reads/s and CPU per read, then the ratio for each
# client: median PostgreSQL run over median SQLite run, and the lowest and highest ratio of a
# PostgreSQL run to a neighbouring SQLite run.
# A measuring aid (not a target, not a test). Needs the stack up and the packages built; leaves the
# mongodb service on PostgreSQL (the default) at the end, also on Ctrl-C.
#
#   tools/measure/mongodb-backend-ratio.sh [rounds]     (default 2: P S P S P, about 4 minutes)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export PATH="$HOME/go/bin:$PATH"
rounds=${1:-2}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: tools/measure/mongodb-backend-ratio.sh [rounds >= 1]" >&2; exit 2; }
out=$(mktemp -d)
restore() { node packages/stack/dist/cli.js restart --service mongodb --quiet >/dev/null 2>&1 || true; rm -rf "$out"; }
trap restore EXIT

run=0
for i in $(seq 0 $((2 * rounds))); do
  backend=postgresql; [ $((i % 2)) -eq 1 ] && backend=sqlite
  DEVSTACK_MONGODB_BACKEND=$backend node packages/stack/dist/cli.js restart --service mongodb --quiet >/dev/null
  run=$((run + 1)); file="$out/$(printf %02d $run)-$backend.json"
  printf '%s %-10s %s load %s: ' "$run" "$backend" "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"
  DEVSTACK_MONGODB_BACKEND=$backend node packages/mongodb/dist/cli.js bench --quick --json --quiet >"$file"
  node -e '
    const r = require(process.argv[1]); const m = Object.fromEntries(r.metrics.map((x) => [x.name, x]));
    if (r.data.storage !== process.argv[2]) { console.error(`the server ran on ${r.data.storage}, not ${process.argv[2]}`); process.exit(1); }
    const cpu = (c) => (c ? `${Object.entries(c.usPerRead).map(([k, v]) => `${k} ${v}`).join(" ")} = ${c.totalUsPerRead} µs` : "-");
    const line = (label, metric, c) => (m[metric] ? `${label} ${Math.round(m[metric].value)}/s (${m[metric].trials.map(Math.round).join(" ")}), CPU ${cpu(c)}` : `${label} -`);
    console.log(`${line("node", "point_read_ops", r.data.pointReadCpu)} | ${line("go", "point_read_go_ops", r.data.pointReadGoCpu)}`);' "$file" "$backend"
done
printf 'end %s load %s\n' "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"

node -e '
  const fs = require("fs"); const dir = process.argv[1]; const { median } = require(process.argv[2]);
  const runs = fs.readdirSync(dir).sort().map((f) => { const r = require(`${dir}/${f}`); const v = Object.fromEntries(r.metrics.map((x) => [x.name, x.value])); return { backend: r.data.storage, node: v.point_read_ops, go: v.point_read_go_ops }; });
  for (const client of ["node", "go"]) {
    if (runs.some((r) => r[client] === undefined)) { console.log(`${client}: not measured in every run`); continue; }
    const pg = runs.filter((r) => r.backend === "postgresql").map((r) => r[client]);
    const sq = runs.filter((r) => r.backend === "sqlite").map((r) => r[client]);
    const pairs = []; runs.forEach((r, i) => { if (r.backend !== "sqlite") return; for (const j of [i - 1, i + 1]) if (runs[j]) pairs.push(runs[j][client] / r[client]); });
    console.log(`${client}: PostgreSQL median ${Math.round(median(pg))}/s, SQLite median ${Math.round(median(sq))}/s -> ${(median(pg) / median(sq)).toFixed(1)}x (neighbouring runs ${Math.min(...pairs).toFixed(1)}x..${Math.max(...pairs).toFixed(1)}x)`);
  }' "$out" "$ROOT/packages/core/dist/index.js"

#!/usr/bin/env bash
# Side by side: two FerretDB arms, interleaved A B B A A B ..., the mongodb service restarted before every
# run, then `mongodb bench --quick`; prints point reads/s and the CPU per read by process for each run
# (through the Node driver, and through the Go driver where tools/mongo-pointread is built),
# and the paired change of B against A (core's pairedShift: Hodges-Lehmann, exact signed-rank 95%
# interval from 6 pairs on).
# A measuring aid (not a target, not a test). Needs the stack up and the packages built.
#
#   tools/measure/ferretdb-ab.sh <pairs> "<arm A>" "<arm B>"
#
# An arm is a space-separated list of VAR=value settings for FerretDB's start (e.g.
# DEVSTACK_FERRETDB_GOMAXPROCS=2), or `-` for none. FERRETDB_BIN=<path> in an arm runs that binary
# instead: it is copied over the ferretdb on PATH for the arm's runs, and the original is put back at
# the end (also on Ctrl-C). Example, Go's default GOMAXPROCS against the stack's:
#   tools/measure/ferretdb-ab.sh 4 DEVSTACK_FERRETDB_GOMAXPROCS=2 -
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export PATH="$HOME/go/bin:$PATH"
[ $# -eq 3 ] && [[ "$1" =~ ^[1-9][0-9]*$ ]] || { echo "usage: tools/measure/ferretdb-ab.sh <pairs> \"<arm A settings|->\" \"<arm B settings|->\"" >&2; exit 2; }
pairs=$1; arms=("$2" "$3")
ferret=$(command -v ferretdb) || { echo "ferretdb is not on PATH: run npm run setup" >&2; exit 3; }
out=$(mktemp -d)
saved="$out/ferretdb.orig"; cp "$ferret" "$saved"
restore() { cp "$saved" "$ferret.ab" && mv "$ferret.ab" "$ferret"; node packages/stack/dist/cli.js restart --service mongodb --quiet >/dev/null 2>&1 || true; rm -rf "$out"; }
trap restore EXIT

run_arm() { # $1 = A|B, $2 = settings, $3 = pair
  local envs=() bin="$saved" kv
  if [ "$2" != - ]; then for kv in $2; do
    [[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || { echo "not a VAR=value setting: $kv" >&2; exit 2; }
    if [[ "$kv" == FERRETDB_BIN=* ]]; then bin="${kv#FERRETDB_BIN=}"; [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; else envs+=("$kv"); fi
  done; fi
  cp "$bin" "$ferret.ab" && mv "$ferret.ab" "$ferret"
  env "${envs[@]}" node packages/stack/dist/cli.js restart --service mongodb --quiet >/dev/null
  local file="$out/$3-$1.json"
  printf 'pair %s arm %s (%s) %s load %s: ' "$3" "$1" "$2" "$(date -u +%T)" "$(cut -d' ' -f1 /proc/loadavg)"
  node packages/mongodb/dist/cli.js bench --quick --json --quiet >"$file"
  node -e '
    const r = require(process.argv[1]); const m = Object.fromEntries(r.metrics.map((x) => [x.name, x.value])); const c = r.data.pointReadCpu;
    const g = r.data.pointReadGoCpu;
    console.log(`point reads/s ${Math.round(m.point_read_ops)}, p95 ${m.point_read_p95_ms} ms; CPU µs per read ${c ? Object.entries(c.usPerRead).map(([k, v]) => `${k} ${v}`).join(", ") + `, total ${c.totalUsPerRead}` : "(not measured)"}` +
      (m.point_read_go_ops ? `; Go driver ${Math.round(m.point_read_go_ops)}/s, CPU ${g ? Object.entries(g.usPerRead).map(([k, v]) => `${k} ${v}`).join(", ") + `, total ${g.totalUsPerRead}` : "-"}` : ""));' "$file"
}

# ABBA order (A first in odd pairs, B first in even ones): a run that follows another does not always
# favour the same arm (seen here: with A always first, a build with no CPU difference read +14% [+2, +27]).
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) = 1 ]; then run_arm A "${arms[0]}" "$i"; run_arm B "${arms[1]}" "$i"; else run_arm B "${arms[1]}" "$i"; run_arm A "${arms[0]}" "$i"; fi
done

# The paired estimate is core's pairedShift, the one regress uses: Hodges-Lehmann with the exact
# signed-rank interval, which needs 6 pairs or more for 95%.
node -e '
  const { pairedShift } = require(process.argv[3]);
  const [dir, n] = [process.argv[1], Number(process.argv[2])];
  const get = (i, arm) => { const r = require(`${dir}/${i}-${arm}.json`); const m = Object.fromEntries(r.metrics.map((x) => [x.name, x.value])); const c = r.data.pointReadCpu;
    // The client (the bench itself) is the same code in both arms: its CPU per read tracks the speed of
    // the machine, which drifts by a third between neighbouring runs here. Dividing by it factors that out.
    const rel = c && c.usPerRead.client ? Object.entries(c.usPerRead).filter(([k]) => k !== "client").map(([k, v]) => [`${k} CPU / client CPU`, v / c.usPerRead.client]) : [];
    const g = r.data.pointReadGoCpu;
    const go = m.point_read_go_ops ? { "Go driver: point reads/s": m.point_read_go_ops, ...(g ? { "Go driver: CPU µs/read server side": g.totalUsPerRead - g.usPerRead.client, "Go driver: CPU µs/read total": g.totalUsPerRead } : {}) } : {};
    return { "point reads/s": m.point_read_ops, ...go, ...(c ? Object.fromEntries([...Object.entries(c.usPerRead).map(([k, v]) => [`CPU µs/read ${k}`, v]), ["CPU µs/read total", c.totalUsPerRead], ...rel]) : {}) }; };
  const pairs = Array.from({ length: n }, (_, i) => [get(i + 1, "A"), get(i + 1, "B")]);
  const pct = (x) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
  console.log(`\nB against A, ${n} pairs: paired change (Hodges-Lehmann) [exact signed-rank 95% interval]${n < 6 ? " (fewer than 6 pairs: no interval)" : ""}`);
  for (const k of Object.keys(pairs[0][0])) {
    const a = pairs.map((p) => p[0][k]), b = pairs.map((p) => p[1][k]);
    if ([...a, ...b].some((v) => !(v > 0))) { console.log(`  ${k}: not positive in every run, no estimate`); continue; }
    const r = pairedShift(a, b);
    console.log(`  ${k}: ${pct(r.change)}${r.low === undefined ? "" : ` [${pct(r.low)}, ${pct(r.high)}]`}  (pairs: ${a.map((x, i) => pct(b[i] / x - 1)).join(", ")})`);
  }' "$out" "$pairs" "$ROOT/packages/core/dist/index.js"

#!/usr/bin/env bash
# npm start: the main job. Setup if needed, embedded stack up, a quick bench of every backend,
# regress against its baseline (or record the baseline when there is none), then every report.
# Backends are discovered from Nx (every project with a `bench` target), so a new backend package
# joins the job by declaring its targets. A failing backend is reported and the others still run.
# Exit: 0 all steps ok, 1 some backend step failed, 3 setup or stack up failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="$PATH:$HOME/go/bin"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
LOGS="$ROOT/.devstack/logs/main"
mkdir -p "$LOGS"
t0=$(date +%s)
rows=()   # "project|step|status|seconds|log"
failed=0

banner() { printf '\n== npm start: %s\n' "$1"; }

# run_step <project> <step> <command...>: run, time and record one step; its output goes to a log
# and its last lines to the terminal when it fails.
run_step() {
  local project=$1 step=$2
  shift 2
  local log="$LOGS/$project-$step.log" s rc
  s=$(date +%s)
  printf '   %-10s %-9s ... ' "$project" "$step"
  "$@" >"$log" 2>&1
  rc=$?
  local secs=$(( $(date +%s) - s ))
  if [ $rc -eq 0 ]; then
    echo "ok (${secs}s)"
    rows+=("$project|$step|ok|$secs|$log")
  else
    echo "FAILED, exit $rc (${secs}s)"
    tail -15 "$log" | sed 's/^/      /'
    rows+=("$project|$step|FAILED (exit $rc)|$secs|$log")
    failed=1
  fi
  return $rc
}

banner "setup"
if [ "${DEVSTACK_SKIP_SETUP:-}" = 1 ]; then
  echo "   skipped (DEVSTACK_SKIP_SETUP=1)"
else
  bash tools/setup.sh || { echo "npm start: setup failed (see above)" >&2; exit 3; }
fi

banner "stack up"
node packages/stack/dist/cli.js up || { echo "npm start: the stack did not come up; see .devstack/logs/ and: node packages/stack/dist/cli.js status" >&2; exit 3; }

banner "discover backends"
projects_with() { npx nx show projects --with-target "$1" 2>/dev/null | sort; }
mapfile -t benches < <(projects_with bench)
mapfile -t regressors < <(projects_with regress)
mapfile -t baseliners < <(projects_with baseline)
has() { local x=$1; shift; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }
if [ ${#benches[@]} -eq 0 ]; then
  echo "   no project has a bench target yet"
else
  echo "   ${benches[*]}"
fi

for p in "${benches[@]}"; do
  banner "$p"
  # A failed bench does not stop the backend's regress: regress measures again on its own.
  run_step "$p" bench npx nx run "$p:bench" --quick --outputStyle=static
  if [ -f "baselines/$p.json" ] && has "$p" "${regressors[@]}"; then
    run_step "$p" regress npx nx run "$p:regress" --quick --outputStyle=static
  elif has "$p" "${baseliners[@]}"; then
    echo "   no baselines/$p.json: recording one"
    run_step "$p" baseline npx nx run "$p:baseline" --quick --outputStyle=static
  else
    rows+=("$p|regress|skipped (no regress/baseline target)|0|-")
  fi
done

banner "reports"
run_step report tests npx nx run report:tests --outputStyle=static
run_step report perf npx nx run report:perf --outputStyle=static
run_step report html npx nx run report:html --outputStyle=static

total=$(( $(date +%s) - t0 ))
html="$ROOT/.devstack/report/index.html"
banner "summary"
printf '   %-10s %-9s %-40s %6s\n' project step status seconds
printf '   %-10s %-9s %-40s %6s\n' ---------- --------- ---------------------------------------- ------
for r in "${rows[@]}"; do
  IFS='|' read -r p s st secs _log <<<"$r"
  printf '   %-10s %-9s %-40s %6s\n' "$p" "$s" "$st" "$secs"
done
echo
[ -f "$html" ] && echo "HTML report: $html" || echo "HTML report: not written (see $LOGS/report-html.log)"
echo "Docs: $ROOT/docs/TEST_COVERAGE.md, $ROOT/docs/PERFORMANCE_BASELINE.md"
echo "Step logs: $LOGS/"
echo "npm start finished in ${total}s$([ $failed -ne 0 ] && echo ', with failures')"
exit $failed

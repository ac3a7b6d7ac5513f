#!/usr/bin/env bash
# npm start: the main job. Setup if needed, embedded stack up, a quick bench of every backend,
# regress against its baseline (skipped, with the command, when there is none), quick tune comparisons,
# the verification suites (Vault security, TLS matrix, network matrix), a quick failover and load
# run, then every report (pages and HTML under .devstack/report/; docs/ is left alone).
# Backends are discovered from Nx (every project with a `bench` target), so a new backend package
# joins the job by declaring its targets. A failing backend is reported and the others still run.
# Exit: 0 all steps ok, 1 some step failed (named at the end), 3 setup or stack up failed.
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
  printf '   %-10s %-11s ... ' "$project" "$step"
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
  echo "   skipped (DEVSTACK_SKIP_SETUP=1); building every package"
  npx nx run-many -t build --outputStyle=static >"$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log"; echo "npm start: build failed; see $LOGS/build.log" >&2; exit 3; }
else
  bash tools/setup.sh || { echo "npm start: setup failed (see above)" >&2; exit 3; }
fi

# Every package was built just above, so each step skips its dependency builds (a cached build
# still costs an Nx task run of several seconds per step on a busy machine).
nxrun() { npx nx run "$@" --excludeTaskDependencies --outputStyle=static; }

banner "stack up"
# As root the stack runs segmented (each service in its own network namespace), the mode npm test
# needs too, so the two commands accept each other's stack; --restart converts a plain one.
up_args=(up)
segmented=0
if [ "$(id -u)" = 0 ] && [ "${DEVSTACK_SEGMENTED:-1}" != 0 ]; then up_args+=(--segmented --restart); segmented=1
elif [ "$(id -u)" != 0 ]; then echo "   not root: the stack runs without network segmentation (namespaces and nftables need root); the network matrix is skipped"
fi
node packages/stack/dist/cli.js "${up_args[@]}" || { echo "npm start: the stack did not come up; see .devstack/logs/ and: node packages/stack/dist/cli.js status" >&2; exit 3; }

banner "discover targets"
# Every step below runs for whichever projects have its target, so a new package (or a new
# target such as load:capacity) joins the job by declaring it.
# One project graph for every target (tools/nx-targets.js); per-target `nx show` as the fallback.
targets_file="$LOGS/targets.txt"
node tools/nx-targets.js >"$targets_file" 2>"$LOGS/targets.err" || : >"$targets_file"
projects_with() {
  if [ -s "$targets_file" ]; then awk -v t="$1" '$1 == t { print $2 }' "$targets_file" | sort
  else npx nx show projects --with-target "$1" 2>/dev/null | sort; fi
}
mapfile -t benches < <(projects_with bench)
mapfile -t regressors < <(projects_with regress)
mapfile -t baseliners < <(projects_with baseline)
mapfile -t tuners < <(projects_with tune)
mapfile -t securers < <(projects_with security)
mapfile -t matrixers < <(projects_with matrix)
mapfile -t failovers < <(projects_with failover)
mapfile -t loaders < <(projects_with sustained)
mapfile -t capacities < <(projects_with capacity)
has() { local x=$1; shift; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }
if [ ${#benches[@]} -eq 0 ]; then
  echo "   no project has a bench target yet"
else
  echo "   ${benches[*]}"
fi
for t in tune security matrix failover sustained capacity; do
  case $t in tune) l=("${tuners[@]}") ;; security) l=("${securers[@]}") ;; matrix) l=("${matrixers[@]}") ;; failover) l=("${failovers[@]}") ;; sustained) l=("${loaders[@]}") ;; capacity) l=("${capacities[@]}") ;; esac
  [ ${#l[@]} -gt 0 ] && echo "   $t: ${l[*]}"
done

for p in "${benches[@]}"; do
  banner "$p"
  if [ -f "baselines/$p.json" ] && has "$p" "${regressors[@]}"; then
    # regress runs the quick bench itself (its metrics, tables and checks are in the regress result,
    # which the report reads as the latest measurement): one measurement instead of two.
    rows+=("$p|bench|measured by regress|0|-")
    run_step "$p" regress nxrun "$p:regress" --quick
    continue
  fi
  run_step "$p" bench nxrun "$p:bench" --quick
  if has "$p" "${baseliners[@]}"; then
    # Baselines are committed files recorded on a quiet machine: the main job never writes one
    # (that would dirty the checkout and store a noisy figure).
    echo "   no baselines/$p.json: record one on a quiet machine with npx nx run $p:baseline"
    rows+=("$p|regress|skipped (no baselines/$p.json)|0|-")
  else
    rows+=("$p|regress|skipped (no regress/baseline target)|0|-")
  fi
done

# Quick comparisons: 2 interleaved trials per arm (each trial restarts the server into its arm).
# Fewer than 4 per arm give no 95% interval, so the verdict reads "inconclusive" and says why; the
# medians still fill the report. For a verdict: npx nx run <backend>:tune --profile dev --compare --trials 5.
tune_trials=${DEVSTACK_MAIN_TUNE_TRIALS:-2}
if [ ${#tuners[@]} -gt 0 ]; then
  banner "tune comparisons (quick, $tune_trials trials per arm; dev and auto vs default)"
  for p in "${tuners[@]}"; do
    compared=0
    for prof in ${DEVSTACK_MAIN_PROFILES:-dev auto}; do
      # Which comparison the backend offers is asked with dry runs of the same flags (nothing changes,
      # nothing is measured): `--compare-with default --quick` where it exists, else a plain
      # `--compare` (previous profile vs the new one) after making default the active profile.
      # A backend without the profile or without --compare is skipped, not failed.
      dry() { nxrun "$p:tune" "$@" --dry-run --quiet >>"$LOGS/$p-tune-$prof-dry.log" 2>&1; }
      : >"$LOGS/$p-tune-$prof-dry.log"
      if dry --profile "$prof" --compare --compare-with default --quick; then
        run_step "$p" "tune-$prof" nxrun "$p:tune" --profile "$prof" --compare --compare-with default --quick --trials "$tune_trials"
      elif dry --profile "$prof" --compare; then
        run_step "$p" "tune-$prof" bash -c "npx nx run '$p:tune' --profile default --excludeTaskDependencies --outputStyle=static && npx nx run '$p:tune' --profile '$prof' --compare --trials '$tune_trials' --excludeTaskDependencies --outputStyle=static"
      else
        rows+=("$p|tune-$prof|skipped (no $prof profile or no --compare)|0|$LOGS/$p-tune-$prof-dry.log")
        continue
      fi
      compared=1
    done
    # The comparisons leave the last profile active: back to the default for the steps after.
    [ $compared = 1 ] && run_step "$p" tune-reset nxrun "$p:tune" --profile default
  done
fi

banner "verification"
for p in "${securers[@]}"; do run_step "$p" security nxrun "$p:security"; done
# The TLS matrix is the tls package's live suite; its jest output goes to the main job's log, not
# to .devstack/results/jest/ (that is npm test's record, counted by the report).
if [ -f packages/tls/suites/tls.suite.ts ]; then
  run_step tls matrix bash -c 'cd packages/tls && npx jest --config jest.config.js --runInBand --testPathPattern "suites/tls\\.suite"'
fi
for p in "${matrixers[@]}"; do
  if [ $segmented = 1 ]; then
    run_step "$p" matrix nxrun "$p:matrix"
  else
    rows+=("$p|matrix|skipped (needs root: segmented stack)|0|-")
  fi
done
for p in "${failovers[@]}"; do run_step "$p" failover nxrun "$p:failover" --quick; done

banner "load (quick)"
for p in "${loaders[@]}"; do run_step "$p" sustained nxrun "$p:sustained" --scale "${DEVSTACK_MAIN_LOAD_SCALE:-0.1}"; done
for p in "${capacities[@]}"; do run_step "$p" capacity nxrun "$p:capacity" --quick; done

banner "reports"
run_step report tests nxrun report:tests
run_step report perf nxrun report:perf
run_step report html nxrun report:html

total=$(( $(date +%s) - t0 ))
html="$ROOT/.devstack/report/index.html"
banner "summary"
printf '   %-10s %-11s %-40s %6s\n' project step status seconds
printf '   %-10s %-11s %-40s %6s\n' ---------- ----------- ---------------------------------------- ------
for r in "${rows[@]}"; do
  IFS='|' read -r p s st secs _log <<<"$r"
  printf '   %-10s %-11s %-40s %6s\n' "$p" "$s" "$st" "$secs"
done
echo
[ -f "$html" ] && echo "HTML report: $html" || echo "HTML report: not written (see $LOGS/report-html.log)"
echo "Pages: $ROOT/.devstack/report/*.md (docs/ changes only through: npx nx run report:docs)"
echo "Step logs: $LOGS/"
failed_steps=()
for r in "${rows[@]}"; do IFS='|' read -r p s st _ _ <<<"$r"; [[ $st == FAILED* ]] && failed_steps+=("$p:$s"); done
[ ${#failed_steps[@]} -gt 0 ] && echo "Failed steps: ${failed_steps[*]}"
echo "npm start finished in ${total}s$([ $failed -ne 0 ] && echo ', with failures')"
exit $failed

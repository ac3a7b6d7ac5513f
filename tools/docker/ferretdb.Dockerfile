# FerretDB 1.24.2 with DevStack Perf's patches (tools/patches/ferretdb-*.patch), built by
# tools/build-ferretdb.sh exactly as tools/setup.sh builds it for the embedded stack: the same
# source, patches and unit tests. docker-compose.yml's mongodb service is built from this file
# (build context: the repository root). The stock image ghcr.io/ferretdb/ferretdb:1.24.2 lacks the
# patches: its _id equality cannot use the btree index (a sequential scan per findOne by _id).
FROM golang:1.24-bookworm AS build
ENV CGO_ENABLED=0
WORKDIR /devstack
COPY tools/build-ferretdb.sh tools/build-ferretdb.sh
COPY tools/patches/ tools/patches/
RUN tools/build-ferretdb.sh v1.24.2 /out/ferretdb && /out/ferretdb --version

FROM debian:bookworm-slim
COPY --from=build /out/ferretdb /usr/local/bin/ferretdb
# FerretDB keeps a small state file (its instance id) in its state directory.
RUN mkdir -p /state && chown 65534:65534 /state
ENV FERRETDB_STATE_DIR=/state
USER 65534:65534
EXPOSE 27017
ENTRYPOINT ["/usr/local/bin/ferretdb"]

#!/usr/bin/env bash
# Builds the datadog-operator manager (the peer of `npm run bench -- metadata-peer`) from the
# module pinned in hack/peer/go.mod, through the Go module proxy, into the cache beside the
# control-plane binaries. A binary already there is not rebuilt: a second run is a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"

if [[ -x "$PEER_BINARY" ]]; then echo "datadog-operator $PEER_VERSION: cached ($PEER_BINARY)"; exit 0; fi
command -v go >/dev/null || { echo "peer:build needs Go (see README prerequisites)" >&2; exit 1; }
# The module's go.mod asks for a newer Go than the machine may have; the machine's go.env may
# say GOTOOLCHAIN=local, so name the toolchain explicitly.
export GOTOOLCHAIN="$PEER_GOTOOLCHAIN" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly"
mkdir -p "$PEER_BIN_DIR"
echo "building datadog-operator $PEER_VERSION with $GOTOOLCHAIN -> $PEER_BINARY (a cold build takes many minutes)"
start=$SECONDS
# Version as upstream's Makefile sets it, so payloads say operator_version=$PEER_VERSION.
(cd "$PEER_DIR" && go build -trimpath \
  -ldflags "-s -w -X $PEER_MODULE/pkg/version.Version=$PEER_VERSION" \
  -o "$PEER_BIN_DIR/.manager.tmp" "$PEER_MODULE/cmd")
mv "$PEER_BIN_DIR/.manager.tmp" "$PEER_BINARY"
echo "datadog-operator $PEER_VERSION: built in $((SECONDS - start)) s"

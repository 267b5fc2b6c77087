# The benchmark peer's version and cache paths, read from hack/peer/go.mod (the one source).
# Sourced by hack/peer/build.sh and read by hack/peer/peer.ts.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/versions.sh"
PEER_DIR="$HACK_DIR/peer"
PEER_MODULE=github.com/DataDog/datadog-operator
PEER_VERSION="$(awk -v m="$PEER_MODULE" '($1=="require" && $2==m) || $1==m {print ($1==m ? $2 : $3); exit}' "$PEER_DIR/go.mod")"
# v1.31.2 needs go >= 1.26.10; the go command fetches this toolchain from the module proxy.
PEER_GOTOOLCHAIN="${PEER_GOTOOLCHAIN:-go1.27.3}"
PEER_BIN_DIR="$FLEETDECK_CACHE/bin/datadog-operator-$PEER_VERSION"
PEER_BINARY="$PEER_BIN_DIR/manager"

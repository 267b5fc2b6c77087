#!/usr/bin/env bash
# Builds the browser suite's sign-in stack from the Go modules pinned in hack/oidc/*/go.mod,
# through the Go module proxy, into the cache beside the control-plane binaries: oauth2-proxy
# (the OIDC reverse proxy config/deploy puts in front of the dashboard) and oidc-provider (a
# small OpenID Provider of ours on zitadel/oidc, hack/oidc/provider). A binary already in the
# cache is not rebuilt: a second run is a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"

command -v go >/dev/null || { echo "oidc:build needs Go (see README prerequisites)" >&2; exit 1; }
mkdir -p "$OIDC_BIN_DIR"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly"

# build MODULE_DIR BINARY PACKAGE LDFLAGS
build() {
  local dir="$1" binary="$2" pkg="$3" ldflags="$4" name
  name="$(basename "$binary")"
  if [[ -x "$binary" ]]; then echo "  $name: cached"; return; fi
  local start=$SECONDS
  (cd "$OIDC_DIR/$dir" && go build -trimpath -ldflags "$ldflags" -o "$binary.tmp" "$pkg")
  mv "$binary.tmp" "$binary"
  echo "  $name: built in $((SECONDS - start)) s"
}

echo "sign-in stack -> $OIDC_BIN_DIR"
# Version as upstream's Makefile sets it (oauth2-proxy --version).
build oauth2-proxy "$OAUTH2_PROXY_BINARY" "$OAUTH2_PROXY_MODULE" \
  "-s -w -X $OAUTH2_PROXY_MODULE/pkg/version.VERSION=$OAUTH2_PROXY_VERSION"
build provider "$OIDC_PROVIDER_BINARY" . "-s -w"
# Builds of earlier provider sources are of no use any more.
find "$OIDC_BIN_DIR" -name 'oidc-provider-*' ! -path "$OIDC_PROVIDER_BINARY" -delete
echo "done"

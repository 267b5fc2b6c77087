# Versions and cache paths of the browser suite's sign-in stack (oauth2-proxy and the OpenID
# Provider), read from hack/oidc/*/go.mod so that go.mod stays the one source. Sourced by
# hack/oidc/build.sh and read by testing/oidc.ts.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/versions.sh"
OIDC_DIR="$HACK_DIR/oidc"
OAUTH2_PROXY_MODULE=github.com/oauth2-proxy/oauth2-proxy/v7
OAUTH2_PROXY_VERSION="$(modver oidc/oauth2-proxy "$OAUTH2_PROXY_MODULE")"
ZITADEL_OIDC_VERSION="$(modver oidc/provider github.com/zitadel/oidc/v3)"
# The provider is our own program: its cache entry also names a hash of its sources, so an
# edit is rebuilt while an unchanged tree is not.
OIDC_PROVIDER_HASH="$(cd "$OIDC_DIR/provider" && cat go.mod go.sum *.go | sha256sum | cut -c1-12)"
OIDC_BIN_DIR="$FLEETDECK_CACHE/bin/oidc-oauth2-proxy-$OAUTH2_PROXY_VERSION-zitadel-oidc-$ZITADEL_OIDC_VERSION"
OAUTH2_PROXY_BINARY="$OIDC_BIN_DIR/oauth2-proxy"
OIDC_PROVIDER_BINARY="$OIDC_BIN_DIR/oidc-provider-$OIDC_PROVIDER_HASH"

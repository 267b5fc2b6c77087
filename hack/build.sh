#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, kwokctl, plus kubectl for scripts and tests) from the upstream Go
# modules pinned in hack/*/go.mod into a cache outside the repository, keyed by version.
# A binary already in the cache is not rebuilt, so a second run is a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"

command -v go >/dev/null || { echo "cluster:build needs Go (>= 1.24; see README prerequisites)" >&2; exit 1; }
mkdir -p "$BIN_DIR"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly"

kube_minor="${KUBE_VERSION#v1.}"; kube_minor="${kube_minor%%.*}"
pkg_version=k8s.io/component-base/version
kube_ldflags="-s -w -X $pkg_version.gitVersion=$KUBE_VERSION -X $pkg_version.gitMajor=1 -X $pkg_version.gitMinor=$kube_minor -X $pkg_version.gitTreeState=clean -X $pkg_version.buildDate=1970-01-01T00:00:00Z"
kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBE_VERSION#v}"

# build MODULE_DIR NAME PACKAGE LDFLAGS
build() {
  local dir="$1" name="$2" pkg="$3" ldflags="$4"
  if [[ -x "$BIN_DIR/$name" ]]; then echo "  $name: cached"; return; fi
  local start=$SECONDS
  (cd "$HACK_DIR/$dir" && go build -trimpath -tags notest -ldflags "$ldflags" -o "$BIN_DIR/.$name.tmp" "$pkg")
  mv "$BIN_DIR/.$name.tmp" "$BIN_DIR/$name"
  echo "  $name: built in $((SECONDS - start)) s"
}

echo "control plane binaries -> $BIN_DIR"
build etcd etcd . "-s -w"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "$kwok_ldflags"
build kwok kwokctl sigs.k8s.io/kwok/cmd/kwokctl "$kwok_ldflags"
for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build k8s "$c" "k8s.io/kubernetes/cmd/$c" "$kube_ldflags"
done
echo "done"

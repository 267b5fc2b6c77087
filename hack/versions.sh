# Versions of the local control plane, read from the Go modules in hack/ so that
# go.mod stays the single source of truth. Sourced by the other hack scripts.
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
modver() { awk -v m="$2" '$1==m || $2==m {for(i=1;i<=NF;i++) if ($i ~ /^v[0-9]/) {print $i; exit}}' "$HACK_DIR/$1/go.mod"; }
KUBE_VERSION="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$HACK_DIR/k8s/go.mod")"
ETCD_VERSION="$(modver etcd go.etcd.io/etcd/server/v3)"
KWOK_VERSION="$(modver kwok sigs.k8s.io/kwok)"
FLEETDECK_CACHE="${FLEETDECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetdeck}"
BIN_DIR="$FLEETDECK_CACHE/bin/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"

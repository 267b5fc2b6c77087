// Command etcd is the upstream etcd server. It lives in its own module because
// etcd's server module carries replace directives and dependencies that clash
// with Kubernetes'.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}

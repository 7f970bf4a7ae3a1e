// Command algorithmia-devconfig writes a Terraform/OpenTofu CLI configuration whose
// dev_overrides run the provider binary in a given directory (`make dev-config` uses it).
// It writes only the file it is given.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

func main() {
	dir := flag.String("provider-dir", "", "directory holding terraform-provider-algorithmia")
	out := flag.String("out", "", "CLI configuration file to write")
	flag.Parse()
	if *dir == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: algorithmia-devconfig -provider-dir DIR -out FILE")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dir)
	if err == nil {
		err = tfcli.WriteDevOverrides(*out, abs)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "algorithmia-devconfig: %v\n", err)
		os.Exit(1)
	}
}

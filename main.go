// Command terraform-provider-algorithmia is the Terraform provider for Algorithmia clusters.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/provider"
)

// version is set by the release build (goreleaser ldflags); "dev" marks a local build.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/algorithmia-iac/algorithmia",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// testAccProviders runs the provider in-process for terraform-plugin-testing.
//
// Terraform reattaches every alias of one provider to the same in-process server, and the
// framework keeps one configuration per server, so two aliases of "algorithmia" would share
// the last configured cluster. Real runs start one plugin process per alias. Tests that need
// two clusters in one configuration therefore use a second provider name, "algorithmiaprod",
// backed by its own server; the demo exercises real aliases with the built binary.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"algorithmia":     providerserver.NewProtocol6WithError(New("test")()),
	"algorithmiaprod": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	removeGitCache, err := acctest.IsolateGitCache()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv("TF_ACC") != "" {
		// OpenTofu resolves "algorithmia" to registry.opentofu.org/hashicorp/algorithmia.
		if err := acctest.SetProviderHost(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	acctest.StopShared()
	removeGitCache()
	os.Exit(code)
}

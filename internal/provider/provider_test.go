package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
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

// checkDestroyed is a CheckDestroy that asks the cluster (named where in the message) about
// every resource of type typ in state: get must answer algorithmia.ErrNotFound for each.
func checkDestroyed(typ, what, where string, get func(ctx context.Context, attrs map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typ {
				continue
			}
			err := get(context.Background(), rs.Primary.Attributes)
			if err == nil {
				return fmt.Errorf("%s %s still exists on %s", what, rs.Primary.ID, where)
			}
			if !errors.Is(err, algorithmia.ErrNotFound) {
				return fmt.Errorf("checking %s: %w", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

func TestAccDataObject_dataSourceLimits(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	coll := newCollection(t, u, "limits")
	base := fmt.Sprintf("data://%s/%s/", u.Name, coll)
	putText(t, u, base+"big.txt", strings.Repeat("x", maxDataContentBytes+1))
	putText(t, u, base+"binary.bin", "\xff\xfe\x00")
	ds := func(body string) string {
		return dev.ProviderBlock("", u, false) + "data \"algorithmia_data_object\" \"test\" {\n" + body + "\n}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: ds(`path = "` + base + `big.txt"`), ExpectError: wrapped(`Data object too large to read`)},
			{Config: ds(`path = "` + base + `binary.bin"`), ExpectError: wrapped(`Data object is not text`)},
			{Config: ds(`path = "` + base + `missing.txt"`), ExpectError: wrapped(`Data object not found`)},
			{
				Config:      dev.ProviderBlock("", u, false) + `data "algorithmia_data_objects" "test" { path = "` + base + `nested" }`,
				ExpectError: wrapped(`names no collection`),
			},
			{
				Config: ds(`path = "` + base + `big.txt"` + "\ninclude_content = false"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.algorithmia_data_object.test", "size", fmt.Sprint(maxDataContentBytes+1)),
					resource.TestCheckNoResourceAttr("data.algorithmia_data_object.test", "content"),
					resource.TestCheckResourceAttrSet("data.algorithmia_data_object.test", "md5"),
				),
			},
		},
	})
}

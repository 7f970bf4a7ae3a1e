package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*environmentDataSource)(nil)

// NewEnvironmentDataSource is the factory of the algorithmia_environment data source.
func NewEnvironmentDataSource() datasource.DataSource {
	return &environmentDataSource{}
}

type environmentDataSource struct {
	cluster *clusterClient
}

type environmentModel struct {
	ID                         types.String `tfsdk:"id"`
	Language                   types.String `tfsdk:"language"`
	DisplayName                types.String `tfsdk:"display_name"`
	EnvironmentSpecificationID types.String `tfsdk:"environment_specification_id"`
	Description                types.String `tfsdk:"description"`
	MachineType                types.String `tfsdk:"machine_type"`
}

func (d *environmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (d *environmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an algorithm environment (runtime) by language and display name on one cluster. " +
			"Environment IDs are different on every cluster, so a promotion maps runtimes with one lookup per provider alias.",
		Attributes: map[string]schema.Attribute{
			"language": schema.StringAttribute{
				MarkdownDescription: "Language name, such as `python3` or `java11`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "Exact display name of the environment, such as `Python 3.8`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"id":                           computedString("Environment ID on this cluster; the value for `settings.algorithm_environment`."),
			"environment_specification_id": computedString("ID of the environment's specification on this cluster."),
			"description":                  computedString("Description of the environment."),
			"machine_type":                 computedString("`CPU` or `GPU`."),
		},
	}
}

func (d *environmentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *environmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg environmentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	language, display := cfg.Language.ValueString(), cfg.DisplayName.ValueString()
	envs, err := d.cluster.listEnvironments(ctx, language)
	if err != nil {
		addClientError(&resp.Diagnostics, "list the environments of language "+language, err)
		return
	}
	var names []string
	for _, e := range envs {
		if e.DisplayName != display {
			names = append(names, e.DisplayName)
			continue
		}
		cfg.ID = types.StringValue(e.ID)
		cfg.EnvironmentSpecificationID = types.StringValue(e.EnvironmentSpecificationID)
		cfg.Description = types.StringValue(e.Description)
		cfg.MachineType = types.StringValue(e.MachineType)
		resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
		return
	}
	sort.Strings(names)
	detail := fmt.Sprintf("The cluster at %s has no %q environment for language %q.", d.cluster.apiAddress, display, language)
	if len(names) > 0 {
		detail += " Its environments for this language are: " + strings.Join(names, ", ") + "."
	} else {
		detail += " It has no environments for this language; check the language name."
	}
	resp.Diagnostics.AddError("Environment not found", detail)
}

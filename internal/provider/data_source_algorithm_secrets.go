package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*algorithmSecretsDataSource)(nil)

// NewAlgorithmSecretsDataSource is the factory of the algorithmia_algorithm_secrets data source.
func NewAlgorithmSecretsDataSource() datasource.DataSource {
	return &algorithmSecretsDataSource{}
}

type algorithmSecretsDataSource struct {
	cluster *clusterClient
}

type algorithmSecretsDataModel struct {
	ID types.String `tfsdk:"id"`
	algorithmLookupModel
	AlgorithmID types.String        `tfsdk:"algorithm_id"`
	Secrets     []secretSummaryData `tfsdk:"secrets"`
}

type secretSummaryData struct {
	ShortName        types.String `tfsdk:"short_name"`
	Description      types.String `tfsdk:"description"`
	SecretKey        types.String `tfsdk:"secret_key"`
	SecretProviderID types.String `tfsdk:"secret_provider_id"`
	SecretID         types.String `tfsdk:"secret_id"`
}

func (d *algorithmSecretsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm_secrets"
}

func (d *algorithmSecretsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the secrets of an algorithm on one cluster: their names and descriptions, never " +
			"their values (the platform does not return them). Use it to copy secrets' metadata to another cluster, " +
			"with the values from a secret store. The provider's `api_key` must act for the algorithm's owner.",
		Attributes: withAttributes(algorithmLookupAttributes(), map[string]schema.Attribute{
			"id":           computedString("`owner/name`."),
			"algorithm_id": computedString("The algorithm's UUID on the cluster."),
			"secrets": schema.ListNestedAttribute{
				MarkdownDescription: "The secrets, by `short_name`; empty when there are none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"short_name":         computedString("The secret's name."),
						"description":        computedString("Free text shown with the secret."),
						"secret_key":         computedString("The name the algorithm reads the value under."),
						"secret_provider_id": computedString("Secret provider that keeps the value; provider IDs differ between clusters."),
						"secret_id":          computedString("The secret's UUID on the cluster."),
					},
				},
			},
		}),
	}
}

func (d *algorithmSecretsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *algorithmSecretsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg algorithmSecretsDataModel
	a := readAlgorithmConfig(ctx, d.cluster, req, resp, &cfg)
	if a == nil {
		return
	}
	owner, name := cfg.names()
	list, err := d.cluster.api.ListAlgorithmSecrets(ctx, a.ID)
	if err != nil {
		addClientError(&resp.Diagnostics, "list secrets of "+owner+"/"+name, err)
		return
	}
	out := algorithmSecretsDataModel{
		ID: types.StringValue(owner + "/" + name), algorithmLookupModel: cfg.algorithmLookupModel,
		AlgorithmID: types.StringValue(a.ID), Secrets: make([]secretSummaryData, 0, len(list)),
	}
	for _, s := range list {
		m := algorithmSecretModelFromAPI(algorithmSecretModel{}, a.ID, &s)
		out.Secrets = append(out.Secrets, secretSummaryData{
			ShortName: m.ShortName, Description: m.Description, SecretKey: m.SecretKey,
			SecretProviderID: m.SecretProviderID, SecretID: m.SecretID,
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

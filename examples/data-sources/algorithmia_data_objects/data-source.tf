# Migrate a whole collection from dev to prod: one copy per file.
data "algorithmia_data_objects" "dev_models" {
  provider = algorithmia.dev
  path     = "data://acme/models"
}

resource "algorithmia_data_collection" "prod_models" {
  provider = algorithmia.prod
  owner    = "acme"
  name     = "models"
  read_acl = data.algorithmia_data_objects.dev_models.read_acl
}

variable "dev_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "algorithmia_data_object" "prod_models" {
  provider = algorithmia.prod
  for_each = { for f in data.algorithmia_data_objects.dev_models.files : f.name => f }

  path = "data://${algorithmia_data_collection.prod_models.owner}/${algorithmia_data_collection.prod_models.name}/${each.key}"
  copy_from = {
    path        = each.value.path
    api_address = "https://api.dev.example.com"
    api_key_wo  = var.dev_api_key
  }
}

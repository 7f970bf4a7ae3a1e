# A local file: hashed at plan time, so an edit shows as an update. The upload
# streams, so a multi-GiB model needs no memory to speak of.
resource "algorithmia_data_object" "model" {
  path   = "data://${algorithmia_data_collection.models.owner}/${algorithmia_data_collection.models.name}/model.onnx"
  source = "${path.module}/build/model.onnx"
}

# Small text written in the configuration.
resource "algorithmia_data_object" "config" {
  path = "data://acme/models/config.json"
  content = jsonencode({
    threshold = 0.8
    labels    = ["cat", "dog"]
  })
}

# Binary content from base64 (prefer source for anything large).
resource "algorithmia_data_object" "vocab" {
  path           = "data://acme/models/vocab.bin"
  content_base64 = filebase64("${path.module}/vocab.bin")
}

# A copy from another cluster: the download is piped into the upload. The plan
# compares the source's ETag and size (HEAD only) with state.
variable "dev_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "algorithmia_data_object" "model_from_dev" {
  provider = algorithmia.prod
  path     = "data://acme/models/model.onnx"

  copy_from = {
    path        = "data://acme/models/model.onnx"
    api_address = "https://api.dev.example.com"
    api_key_wo  = var.dev_api_key # write-only: never stored in plan or state
  }
}

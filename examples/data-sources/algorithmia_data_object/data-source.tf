# Small UTF-8 text (at most 1 MiB) is read into content.
data "algorithmia_data_object" "config" {
  path = "data://acme/models/config.json"
}

output "threshold" {
  value = jsondecode(data.algorithmia_data_object.config.content).threshold
}

# For large or binary files read only the metadata (one HEAD request).
data "algorithmia_data_object" "model" {
  path            = "data://acme/models/model.onnx"
  include_content = false
}

output "model_md5" {
  value = data.algorithmia_data_object.model.md5
}

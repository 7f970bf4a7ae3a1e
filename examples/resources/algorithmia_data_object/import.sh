# Data objects are imported by their data path. Import reads metadata only
# (size, md5, last_modified); sha256 is filled in by the next apply, which
# uploads nothing when the md5 already matches.
terraform import algorithmia_data_object.model data://acme/models/model.onnx

# Collections are imported by their data path.
terraform import algorithmia_data_collection.models data://acme/models

# SCM configurations are imported by id (see the algorithmia_scms data source).
terraform import algorithmia_scm.ghe ghe

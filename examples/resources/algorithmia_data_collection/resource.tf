resource "algorithmia_data_collection" "models" {
  owner = "acme"
  name  = "models"

  # private | my_algorithms (the platform default) | public
  read_acl = "my_algorithms"

  # Destroy fails while the collection holds files. Set this to true, apply,
  # and only then destroy to delete the files too.
  force_destroy = false
}

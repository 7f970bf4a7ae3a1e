# The same runtime has a different ID on every cluster: look it up per provider alias.
data "algorithmia_environment" "prod_py38" {
  provider     = algorithmia.prod
  language     = "python3"
  display_name = "Python 3.8"
}

# Read an algorithm on the dev cluster, for example to copy its settings to prod.
data "algorithmia_algorithm" "dev_hello" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
}

output "dev_hello_latest_version" {
  value = data.algorithmia_algorithm.dev_hello.latest_version
}

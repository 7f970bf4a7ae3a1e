# Pin the commit behind published version 1.4.0 on the dev cluster, for example to
# promote exactly that commit to prod.
data "algorithmia_git_ref" "hello_release" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
  ref      = "1.4.0"
}

# A branch, a tag or a (short) commit SHA works too; these read the Git server, so the
# provider needs username and api_key.
data "algorithmia_git_ref" "hello_master" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
  ref      = "master"
}

output "hello_release_commit" {
  value = data.algorithmia_git_ref.hello_release.commit
}

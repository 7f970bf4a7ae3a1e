# Every SCM configuration of the cluster, and the default one.
data "algorithmia_scms" "all" {}

output "scm_ids" {
  value = [for s in data.algorithmia_scms.all.scms : s.id if s.enabled]
}

output "default_scm" {
  value = data.algorithmia_scms.all.default_id
}

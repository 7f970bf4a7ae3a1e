output "sources" {
  description = "Per algorithm (same keys as algorithms): the clone URL, the pinned commit, and the details and settings to copy. The `sources` input of ../promote."
  value = {
    for name in keys(var.algorithms) : name => {
      git_url  = data.algorithmia_git_ref.this[name].git_url
      commit   = data.algorithmia_git_ref.this[name].commit
      details  = data.algorithmia_algorithm.this[name].details
      settings = data.algorithmia_algorithm.this[name].settings
    }
  }
}

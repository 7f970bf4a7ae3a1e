output "promoted" {
  description = "Per algorithm: the source commit and its tree, this region's head commit and tree, and the version published for it."
  value = {
    for name, s in algorithmia_algorithm_source.this : name => {
      source_commit     = s.source_commit
      source_tree       = s.source_tree
      commit            = s.commit
      tree              = s.tree
      published_version = s.published_version
    }
  }
}

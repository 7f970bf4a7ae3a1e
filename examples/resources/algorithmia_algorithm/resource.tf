# Look the runtime up by name: environment IDs differ between clusters.
data "algorithmia_environment" "py38" {
  language     = "python3"
  display_name = "Python 3.8"
}

resource "algorithmia_algorithm" "hello" {
  owner = "acme"
  name  = "hello"

  details = {
    label   = "Hello"
    summary = "Greets whoever calls it."
    tagline = "A friendly greeting"
  }

  settings = {
    algorithm_environment = data.algorithmia_environment.py38.id
    license               = "apl"
    network_access        = "isolated"
    pipeline_enabled      = false
    source_visibility     = "closed"
    algorithm_callability = "private"
  }

  sample_input = "\"Jane\""

  # Deleting an algorithm deletes its Git repository and every version. Set this
  # to false, apply, and only then destroy.
  deletion_protection = true
}

# The same algorithm with its repository on an external SCM (see algorithmia_scm): the
# cluster creates acme-gh/hello_gh on that host with the template commit, a deploy key and a
# webhook. The provider's user must be authorized there. Changing source replaces the
# algorithm; deleting it leaves the repository on the host.
resource "algorithmia_algorithm" "hello_on_github" {
  owner = "acme"
  name  = "hello_gh"

  details  = { label = "Hello (GitHub)" }
  settings = { algorithm_environment = data.algorithmia_environment.py38.id }

  source = {
    scm_id           = algorithmia_scm_authorization.ghe.scm_id
    repository_owner = "acme-gh"
  }
}

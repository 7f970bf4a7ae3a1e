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

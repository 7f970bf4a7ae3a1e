# Algorithms are imported by owner/name.
terraform import algorithmia_algorithm.hello acme/hello

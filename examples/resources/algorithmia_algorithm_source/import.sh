# Import by the destination algorithm's owner/name. With the source arguments in
# configuration, the next apply makes no commit and publishes no version when the
# destination already holds that source tree and version.
terraform import algorithmia_algorithm_source.hello acme/hello

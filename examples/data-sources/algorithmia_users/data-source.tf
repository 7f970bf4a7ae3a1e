# Every user on the cluster, except system and test accounts.
data "algorithmia_users" "humans" {
  username_regex    = "^[a-z]"
  exclude_usernames = ["admin", "algorithmia_health_check"]
}

output "usernames" {
  value = data.algorithmia_users.humans.users[*].username
}

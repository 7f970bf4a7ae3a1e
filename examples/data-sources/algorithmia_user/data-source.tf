data "algorithmia_user" "jane" {
  username = "jane_doe"
}

output "jane_email" {
  value = data.algorithmia_user.jane.email
}

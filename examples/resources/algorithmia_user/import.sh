# Users are imported by username.
terraform import algorithmia_user.jane jane_doe

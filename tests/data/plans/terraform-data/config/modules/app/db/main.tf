variable "name" {
  type = string
}

// data "terraform_data" "commented" {
resource terraform_data database {
  input = { name = "${var.name}-db" }
}

variable "name" {
  type = string
}

resource "terraform_data" "server" {
  input = {
    name  = var.name
    tags  = { team = "search", environment = "dev" }
    size  = "Standard_D2s_v5"
  }
}

module "db" {
  source = "./db"
  name   = var.name
}

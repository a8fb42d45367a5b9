# A configuration that needs no cloud provider (only the built-in terraform_data resource), so that
# bench/make_plan_fixture.py can plan it offline with a real Terraform. Its blocks are written in
# the shapes the source scanner must handle: comments, heredocs and templates that look like blocks.

variable "stage" {
  description = "1 for the state the plan starts from, 2 for the planned configuration"
  type        = number
  default     = 2
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "s3cr3t-Passw0rd"
}

locals {
  common_tags = { team = "payments", "cost-center" = "CC-1234" }
  # resource "terraform_data" "in_a_comment" {
  banner = <<-EOT
    resource "terraform_data" "in_a_heredoc" {
    }
  EOT
}

/* resource "terraform_data" "in_a_block_comment" {
} */

resource "terraform_data" "web" {
  input = {
    instance_type = var.stage == 1 ? "t2.micro" : "m7i.large"
    tags          = merge(local.common_tags, { environment = "prod" })
    note          = "braces in a template: ${"}"} and ${jsonencode({ a = "{" })}"
  }
}

resource "terraform_data" "counted" {
  count = 2
  input = { index = count.index }
}

resource "terraform_data" "by_key" {
  for_each = toset(["a.b", "c"])
  input    = { key = each.key }
}

resource "terraform_data" "replaced" {
  triggers_replace = [var.stage]
  input            = "replaced when the stage changes"
}

resource "terraform_data" "secret" {
  input = {
    password   = var.db_password
    connection = "postgres://app:${nonsensitive(var.db_password)}@db.internal:5432/app"
  }
}

resource "terraform_data" "after_web" {
  input = { web_id = terraform_data.web.id, size = "m7i.large" }
}

module "app" {
  source = "./modules/app"
  name   = "shop"
}

module "regional" {
  source   = "./modules/app"
  for_each = toset(var.stage == 1 ? ["eu"] : ["eu", "us"])
  name     = each.key
}

# Only in the planned configuration (bench/make_plan_fixture.py plans it against the state of
# main.tf + stage1.tf): a moved block, a removed block and a data source read at apply time.

resource "terraform_data" "renamed" {
  input = "moved from terraform_data.old_name"
}

moved {
  from = terraform_data.old_name
  to   = terraform_data.renamed
}

removed {
  from = terraform_data.forgotten
  lifecycle {
    destroy = false
  }
}

data "terraform_remote_state" "later" {
  backend = "local"
  config = {
    path = "${terraform_data.replaced.id}.tfstate"
  }
  defaults = { ready = false }
}

# Only in the state the plan starts from (bench/make_plan_fixture.py applies it, then removes this
# file and plans): these resources are deleted, moved or forgotten by the planned configuration.

resource "terraform_data" "retired" {
  input = "deleted by the plan"
}

resource "terraform_data" "old_name" {
  input = "moved from terraform_data.old_name"
}

resource "terraform_data" "forgotten" {
  input = "removed from the state, not destroyed"
}

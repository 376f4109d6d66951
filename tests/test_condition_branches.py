"""A conditional whose condition is an unknown input: every branch is analysed, and a finding that holds
on one branch only says which input it depends on."""

from __future__ import annotations

import privlint


def findings(text: str) -> list[tuple[str, str | None, str]]:
    report = privlint.scan_text(text)
    return [(f.rule_id, f.depends_on, f.message) for f in report.findings if f.rule_id != "PL000"]


def test_a_wildcard_on_one_branch_is_reported_with_the_input_it_depends_on() -> None:
    text = """
variable "admin" {
  type = bool
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = var.admin ? ["*"] : ["s3:GetObject"]
    resources = ["*"]
  }
}
"""
    hits = [f for f in findings(text) if f[0] == "PL201"]
    assert len(hits) == 1 and hits[0][1] == "var.admin selects this branch" and "var.admin" in hits[0][2]


def test_the_same_grant_on_both_branches_depends_on_nothing() -> None:
    text = """
variable "wide" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = var.wide ? "*" : "*"}]})
}
"""
    hits = [f for f in findings(text) if f[0] == "PL201"]
    assert len(hits) == 1 and hits[0][1] is None


def test_a_whole_policy_chosen_by_an_input_keeps_both_documents() -> None:
    text = """
variable "admin" {}
resource "aws_iam_policy" "p" {
  policy = var.admin ? jsonencode({Statement = [{Effect = "Allow", Action = "iam:*", Resource = "*"}]}) : jsonencode({Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "*"}]})
}
"""
    hits = [f for f in findings(text) if f[0] == "PL201"]
    assert [h[1] for h in hits] == ["var.admin selects this branch"]


def test_a_clean_branch_choice_reports_nothing() -> None:
    text = """
variable "read_only" {}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = var.read_only ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::bucket/*"]
  }
}
"""
    assert findings(text) == []


def test_an_admin_user_on_one_branch_names_the_input() -> None:
    text = """
variable "make_admin" {}
resource "aws_iam_user" "u" {
  name = "ops"
}
resource "aws_iam_user_policy_attachment" "a" {
  user       = aws_iam_user.u.name
  policy_arn = aws_iam_policy.p.arn
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({Statement = [{Effect = "Allow", Action = var.make_admin ? "*" : "s3:GetObject", Resource = "*"}]})
}
"""
    admin = [f for f in findings(text) if f[0] == "PL101"]
    assert admin and all("var.make_admin" in f[2] for f in admin)

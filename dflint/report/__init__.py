"""Findings to what a user reads.

``summary``     the counts and the exit code of a run
``formatters``  text, json, sarif, github, gitlab, checkstyle
``docs``        the rules' documentation: ``dflint rule``, docs/rules.md, SARIF help
"""

"""dflint's rules, one module per rule, found by discovery (installed as ``dflint.rules``)."""

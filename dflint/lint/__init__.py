"""The rule contract, the rule set and the engine that runs it.

``rule``          what a rule is: code, name, severity, the nodes it reads, its violations
``ruleset``       the rules found by discovery in ``dflint.rules`` (the top-level ``rules/``)
``bases``         the FROM images' platforms a lint run needs, from the registry side
``suppressions``  ``# dflint: ignore=`` pragmas and BuildKit's ``# check=skip=``
``archsites``     download and build-flag sites shared by the architecture rules
``engine``        read → parse → analyse → rules → suppressions → findings, for one file
``runner``        the engine over many files, in processes when it pays
"""

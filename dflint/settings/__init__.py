"""What the user configured: ``[tool.dflint]`` tables, validated once.

``config``    the lint settings (select, ignore, platforms, per-file tables) and their discovery
``fix``       ``[tool.dflint.fix]``: the generator's settings
``registry``  registry mirrors, insecure registries, timeouts and budget
"""

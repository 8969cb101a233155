"""Variants of a Dockerfile for other platforms, and the fixes that make one file portable.

Modules, in the order data flows through them:

``layout``      an instruction's physical lines and the generated-file header
``paths``       paths and variable references between Linux and Windows spellings
``shellsyntax`` the small, strict parsers that turn a command line into steps to translate
``commands``    one command line in one shell → the same command line in another, through the
                command catalogue's translations (``dflint.analyse.catalogue``), by meaning
``images``      base images and their counterparts on the other OS or architecture
``translator``  a parsed Dockerfile → the instruction lines of a variant, with problems
``render``      Jinja2: the built-in templates (package data) and ``dflint render``
``publish``     the publishing plan: ``docker-bake.hcl`` and ``manifest.sh``
``fixes``       applies the ``Fix`` objects that findings carry (``dflint fix --multiarch``)
``files``       previews (diffs) and atomic, conflict-checked writes
``run``         what ``dflint fix`` and ``dflint render`` do, for the CLI
"""

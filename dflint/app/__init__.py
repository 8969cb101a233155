"""The command line: each command's arguments, and the calls into the pipeline.

``entry``       the program's entry point: collector settings, then ``main``
``main``        ``dflint`` and its commands (argparse; a command's parser is built when it runs)
``options``     options shared by the commands, and their checks
``completion``  bash, zsh and fish completion
``fix``         ``dflint fix`` and ``dflint render``
``matrix``      ``dflint platforms``: target platform × buildable, with reasons
``verify``      ``dflint verify``
``showconfig``  ``dflint show-config``
"""

from dflint.cli import main

main()

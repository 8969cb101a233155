from dflint.app.main import main

main()

from dflint.app.entry import main

main()

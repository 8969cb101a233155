from dflint.app.entry import run

# ends as Python does (see run): tests and tools run this module and then read sys.modules
run(end_at_once=False)

"""For developers only: the runner behind `make run` and `make test` (devstack.py), and the demo
workspaces with their `seed_demo` command. Nothing else imports this app."""

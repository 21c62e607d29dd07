"""The built-in methods, one module each; stewardship/methods/builtin.py collects them into the
registry. Each is data (a `Builtin`), in our own words, attributed to its sources."""

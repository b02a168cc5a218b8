"""The ``pitfall`` command line: one module per command."""

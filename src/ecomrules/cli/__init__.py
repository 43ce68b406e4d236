"""The ``ecomrules`` command: typer and rich, thin over the engines."""

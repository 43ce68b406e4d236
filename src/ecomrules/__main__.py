"""``python -m ecomrules`` runs the command line."""

from ecomrules.cli.app import run

run()

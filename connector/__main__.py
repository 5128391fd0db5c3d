"""``python -m connector`` runs the ``atomsphere`` command."""

from connector.cli import run

run()

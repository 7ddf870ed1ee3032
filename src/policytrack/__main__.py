"""`python -m policytrack` runs the command line."""

from policytrack.cli import main

main()

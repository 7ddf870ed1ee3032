"""policytrack: follow whether published policy recommendations are carried out."""

__version__ = "0.1.0"

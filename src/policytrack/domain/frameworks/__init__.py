"""Framework files: reading and validating them (parse), loading them into a database (install)."""

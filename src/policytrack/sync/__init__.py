"""A team's databases kept in step through a shared git repository."""

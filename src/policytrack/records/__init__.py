"""What each kind of record is: its fields, their rules and descriptions, declared once."""

"""The base every layer may use: errors, dates, grades, paths, the settings file, text rules."""

"""Rendering: functions that return rich renderables or text; the command decides where they go."""

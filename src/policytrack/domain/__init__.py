"""The domain: plain functions over records (log, status at a date, reports, sources, forecasts...)."""

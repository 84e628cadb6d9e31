"""Survey answers in: the instrument, readers for each survey tool, column mapping, import."""

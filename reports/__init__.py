"""Tables and figures with confidence intervals, written to a report folder."""

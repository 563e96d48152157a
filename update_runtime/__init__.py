"""The dynamic-update mechanism: object translation table, factories, quiescence, state transfer, adaptors, lazy update."""

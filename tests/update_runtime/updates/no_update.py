"""A module that forgot to declare UPDATE."""

VALUE = 1

"""Import git and CVS history into the study database: transactions, file revisions, diffs."""

"""Automatic updatability verdicts per transaction, purpose guesses and population estimates."""

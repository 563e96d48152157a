"""The Flask web app in which analysts classify random samples of transactions."""

"""A simulated PPC64 object kernel in the style of K42, with a history of live-updatable changes."""

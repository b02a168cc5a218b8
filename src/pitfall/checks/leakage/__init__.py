"""PF2xx: information from the test set or the label reaching training."""

"""PF1xx: problems inside the data itself."""

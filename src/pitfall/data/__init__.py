"""Loading data and describing it: the only package that touches the user's files."""

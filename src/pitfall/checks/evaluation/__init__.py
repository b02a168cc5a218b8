"""PF4xx: scores that are not what they seem."""

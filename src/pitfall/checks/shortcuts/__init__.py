"""PF3xx: shortcuts and bias: a score earned by something other than the phenomenon."""

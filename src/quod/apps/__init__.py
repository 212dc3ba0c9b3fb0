"""Applications built on quod's lower layers (agents, fairness); nothing below imports them."""

"""Govern: the register of collaborations, their agreements, contributions and milestones."""

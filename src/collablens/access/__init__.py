"""Who may do what: accounts and roles, and the links through which staff answer the survey."""

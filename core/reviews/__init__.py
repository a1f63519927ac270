"""Reviews of parts (P15): public, under a display name the customer chooses."""

"""Custom Rasa NLU components for Frontdesk."""

"""Agent assist in the console: KB articles and reply drafts for the open conversation, and the agent edit rate."""

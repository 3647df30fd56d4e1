"""The agent console: support agents log in, take handed-off conversations from the queue and chat live."""

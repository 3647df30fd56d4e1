"""The governed knowledge base: articles edited as drafts, reviewed by a second person, published to the bot."""

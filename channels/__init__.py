"""Input channels: how customer messages reach Rasa (the first layer of the assistant)."""

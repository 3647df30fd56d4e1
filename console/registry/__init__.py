"""The model registry: every trained model with its hashes, metrics, gate result and status, and the model
server Rasa pulls the production model from."""

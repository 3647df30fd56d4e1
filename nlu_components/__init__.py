"""Custom Rasa NLU components for Frontdesk.

Rasa imports this package in every process that loads a Frontdesk model, so it is where our patches to
Rasa 3.6.21 are applied (rasa_patches/__init__.py says why there and what they change).
"""

import rasa_patches

rasa_patches.apply()

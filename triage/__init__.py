"""Back-office triage: tickets that do not come through the bot (inbound email over SMTP, the web contact
form) are cleaned, classified with the NLU model, enriched, given a priority and a queue, and opened in the
backend, auto-routed when the calibrated confidence is high enough and suggested to an agent otherwise.

    intake (smtp.py, web.py) -> parsing.py -> cleaning.py -> classify.py (Rasa's /model/parse)
      -> enrich.py (entities, language, sentiment) -> matching.py (backend, never linking a claim)
      -> routing.py (queue, priority, calibrated auto-route) -> the backend's tickets API

`python -m triage serve|calibrate|eval` (README "Triage").
"""

"""Words that say which team a ticket is for where the NLU model cannot: other languages, and data protection.

The model reads English chat; a French or German ticket comes back as out_of_scope or noise. For a ticket in
another language its votes are replaced by these words' (each matching word one vote for its queue). Such a
ticket is never auto-routed (pipeline.ROUTABLE_LANGUAGES): the words only make the suggestion useful.

Data protection in any language: the model knows "delete my account" and "send me a copy of my data", not the
written register of data-protection requests (GDPR articles, subject access, where did you get my number).
These words add votes for `privacy` on top of the model's.
"""

from __future__ import annotations

import re
from typing import Dict

from triage.routing import ACCOUNT, BILLING, COMPLAINTS, ORDERS, PRIVACY, RETURNS


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")", re.IGNORECASE)


QUEUE_WORDS: Dict[str, Dict[str, re.Pattern[str]]] = {
    "fr": {
        ORDERS: _words(r"command[eé]", r"colis", r"livr(?:aison|é|er)", r"suivi", r"expédi", r"annul"),
        RETURNS: _words(r"retour(?:ner)?", r"rembours", r"renvoy", r"échange"),
        BILLING: _words(r"factur", r"paiement", r"payé", r"carte bancaire", r"prélève", r"code promo"),
        ACCOUNT: _words(
            r"mon compte", r"mot de passe", r"connexion", r"newsletter", r"désabonn", r"identifiant"
        ),
        COMPLAINTS: _words(r"plainte", r"réclamation", r"inadmissible", r"scandaleux"),
    },
    "de": {
        ORDERS: _words(r"bestellung", r"paket", r"lieferung", r"geliefert", r"sendung", r"versand", r"storn"),
        RETURNS: _words(
            r"rücksend", r"zurückschick", r"retoure", r"erstatt", r"umtausch", r"zurück(?:geben|zahl)"
        ),
        BILLING: _words(r"rechnung", r"zahlung", r"bezahl", r"abbuchung", r"gutschein", r"kreditkarte"),
        ACCOUNT: _words(r"kundenkonto", r"konto", r"passwort", r"anmeld", r"newsletter", r"abmelden"),
        COMPLAINTS: _words(r"beschwerde", r"unverschämt", r"enttäuscht"),
    },
    "es": {
        ORDERS: _words(r"pedido", r"paquete", r"envío", r"entrega", r"seguimiento", r"cancelar"),
        RETURNS: _words(r"devol", r"reembols", r"cambio"),
        BILLING: _words(r"factura", r"pago", r"cobr", r"tarjeta", r"cupón"),
        ACCOUNT: _words(r"mi cuenta", r"contraseña", r"iniciar sesión", r"boletín", r"darme de baja"),
        COMPLAINTS: _words(r"queja", r"reclamación", r"inaceptable"),
    },
    "it": {
        ORDERS: _words(r"ordine", r"pacco", r"spedizion", r"consegn", r"tracciamento", r"annull"),
        RETURNS: _words(r"reso", r"restitu", r"rimbors", r"cambio"),
        BILLING: _words(r"fattura", r"pagamento", r"addebit", r"carta di credito", r"buono"),
        ACCOUNT: _words(r"account", r"password", r"accesso", r"newsletter", r"disiscriv"),
        COMPLAINTS: _words(r"reclamo", r"lamentela", r"inaccettabile"),
    },
    "nl": {
        ORDERS: _words(r"bestelling", r"pakket", r"levering", r"bezorg", r"verzend", r"annuler"),
        RETURNS: _words(r"retour", r"terugstur", r"terugbetal", r"geld terug", r"ruilen"),
        BILLING: _words(r"factuur", r"betaling", r"afschrijving", r"creditcard", r"kortingscode"),
        ACCOUNT: _words(r"mijn account", r"wachtwoord", r"inloggen", r"nieuwsbrief", r"afmelden"),
        COMPLAINTS: _words(r"klacht", r"onacceptabel"),
    },
}
PRIVACY_WORDS = _words(
    r"gdpr", r"rgpd", r"dsgvo", r"avg\b", r"data protection", r"personal (?:data|information|details)",
    r"subject access", r"right to (?:erasure|be forgotten)", r"article (?:15|17|21)", r"my (?:personal )?data\b",
    r"where (?:did |do )?you (?:get|got|obtain(?:ed)?) my", r"cookies?\b", r"données (?:personnelles|me concernant)",
    r"personenbezogene", r"meine daten", r"datos personales", r"dati personali", r"persoonsgegevens",
)  # fmt: skip


# Every kind of request names its order and parcel ("the gloves from order 11688, returned"): those words
# count half, so a return or an invoice question is not outvoted by the order it is about.
ORDER_WORD_VOTE = 0.5


def language_votes(language: str, text: str) -> Dict[str, float]:
    """One vote per matching word of the language's list (empty for English or an unknown language)."""
    votes: Dict[str, float] = {}
    for queue, pattern in QUEUE_WORDS.get(language, {}).items():
        found = len(pattern.findall(text))
        if found:
            votes[queue] = found * (ORDER_WORD_VOTE if queue == ORDERS else 1.0)
    privacy = privacy_votes(text)
    if privacy:
        votes[PRIVACY] = votes.get(PRIVACY, 0.0) + privacy
    return votes


def privacy_votes(text: str) -> float:
    return float(len(PRIVACY_WORDS.findall(text)))

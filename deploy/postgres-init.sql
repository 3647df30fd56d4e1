-- Rasa's SQL tracker store owns a table named `events`: it gets a database of its own.
CREATE DATABASE rasa_tracker OWNER frontdesk;
-- The agent console (agents, sessions, corrections, audit trail) keeps its tables apart from the store's data.
CREATE DATABASE frontdesk_console OWNER frontdesk;
-- The action server's queue of handoffs waiting for ticketing.
CREATE DATABASE frontdesk_actions OWNER frontdesk;
-- The analytics store (metric events, the consumer's position), read by the console's dashboard.
CREATE DATABASE frontdesk_analytics OWNER frontdesk;
-- Each conversation's encryption key (privacy/keys.py), apart from the trackers: destroying a key erases that
-- conversation from the tracker store and its backups. Back this database up for days, not months.
CREATE DATABASE conversation_keys OWNER frontdesk;

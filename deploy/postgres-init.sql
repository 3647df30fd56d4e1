-- Rasa's SQL tracker store owns a table named `events`: it gets a database of its own.
CREATE DATABASE rasa_tracker OWNER frontdesk;

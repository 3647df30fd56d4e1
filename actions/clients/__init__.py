"""One typed client per backend API (CRM, orders, billing, ticketing), sharing one HTTP transport."""

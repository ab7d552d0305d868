-- Nothing on SQLite: one server, whose revocation notices stay in its own process (the PostgreSQL side of
-- this migration sends them from the database).
SELECT 1;

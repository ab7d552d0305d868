-- Every session that ends tells every instance when its transaction commits, and only then: the NOTIFY is
-- part of the transaction that writes `revokedAt`, so neither a crash between the write and a separate
-- notice can lose it, nor can an instance hear of a revocation that rolled back. Whatever wrote it (the app,
-- the admin command, an operator's own SQL) is covered. The payload is the app's notice, as
-- lib/auth/revocation-feed.ts decodes it.
CREATE FUNCTION "auth_session_ended_notice"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('auth_revocations', json_build_object('sessionIds', json_build_array(NEW."id"))::text);
  RETURN NULL;
END
$$;

-- Per row, and only when the UPDATE sets "revokedAt" (a rotation's or a request's "lastUsedAt" does not run it).
CREATE TRIGGER "Session_ended_notice"
  AFTER UPDATE OF "revokedAt" ON "Session"
  FOR EACH ROW
  WHEN (OLD."revokedAt" IS NULL AND NEW."revokedAt" IS NOT NULL)
  EXECUTE FUNCTION "auth_session_ended_notice"();

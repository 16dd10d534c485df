"""PostgreSQL triggers that make the audit log append-only in the database itself.

They refuse any UPDATE or DELETE of an audit entry, and any change to a chain head other than
moving it forward, whoever sends the SQL (a bug, a data fix, an injected query), with two
exceptions Django's own cascades need:

- deleting an account empties `actor_id` and nothing else (`actor_ref`, which the hash covers,
  keeps the number, so the chain stays intact and the person is no longer named);
- deleting a whole organisation deletes its entries and its chain head. Its audit log is a record
  of its people's actions inside it; when the organisation leaves Upward (offboarding, erasure),
  that goes with the rest of its data. The `pre_delete` receiver in `upward.core.signals` names
  the organisation in a transaction-local setting the trigger reads, and records the deletion
  (with the chain's last position and hash) in the chain with no organisation, which survives.

TRUNCATE is not refused (the test suite empties tables with it). Someone who owns the tables can
drop the triggers: they stop mistakes and injected SQL, and the hash chain shows the rest.

Installed by the migration `core.0004_audit_hash_chain` and again after every `migrate` (the
`post_migrate` receiver in `CoreConfig.ready`), so a test database built without migrations has
them too. Both statements are idempotent.
"""

from __future__ import annotations

from typing import Any

GUARD_SQL = """
CREATE OR REPLACE FUNCTION upward_audit_deleting(org_id bigint) RETURNS boolean AS $$
    SELECT org_id IS NOT NULL AND position(
        ',' || org_id::text || ','
        IN coalesce(current_setting('upward.audit_deleting_organisations', true), '')
    ) > 0
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION upward_audit_event_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Deleting an account empties actor_id; actor_ref (hashed) keeps the number.
        IF NEW.actor_id IS NULL AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
    ELSIF upward_audit_deleting(OLD.organisation_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: entry % cannot be changed or deleted.', OLD.id;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION upward_audit_chain_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.key = OLD.key
           AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id
           AND NEW.position > OLD.position THEN
            RETURN NEW;
        END IF;
    ELSIF upward_audit_deleting(OLD.organisation_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: its chain head can only move forward.';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS upward_audit_event_guard ON core_auditevent;
CREATE TRIGGER upward_audit_event_guard BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION upward_audit_event_guard();
DROP TRIGGER IF EXISTS upward_audit_chain_guard ON core_auditchain;
CREATE TRIGGER upward_audit_chain_guard BEFORE UPDATE OR DELETE ON core_auditchain
    FOR EACH ROW EXECUTE FUNCTION upward_audit_chain_guard();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS upward_audit_event_guard ON core_auditevent;
DROP TRIGGER IF EXISTS upward_audit_chain_guard ON core_auditchain;
DROP FUNCTION IF EXISTS upward_audit_event_guard();
DROP FUNCTION IF EXISTS upward_audit_chain_guard();
DROP FUNCTION IF EXISTS upward_audit_deleting(bigint);
"""


def install(connection: Any) -> None:
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    if {"core_auditevent", "core_auditchain"} <= tables:
        with connection.cursor() as cursor:
            cursor.execute(GUARD_SQL)


def uninstall(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(UNGUARD_SQL)

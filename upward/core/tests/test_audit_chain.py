"""The audit log is a hash chain per organisation: tampering shows at the right position, the ORM
refuses changes, PostgreSQL refuses them too, and one INSERT still writes a batch."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from upward.core import audit
from upward.core.audit_chain import GENESIS
from upward.core.models import AuditChain, AuditEvent, AuditLogIsAppendOnly
from upward.testing.factories import OrganisationFactory


def _write(org, n: int, verb: str = "test.thing") -> list[AuditEvent]:
    return [audit.record(verb, org, organisation=org, data={"n": i}) for i in range(n)]


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql: str, params: list) -> None:
    """Raw SQL by someone who can also switch off the PostgreSQL triggers (a table owner);
    the test's transaction rolls the switch back."""
    if connection.vendor == "postgresql":
        _raw("SET CONSTRAINTS ALL IMMEDIATE", [])
        _raw("ALTER TABLE core_auditevent DISABLE TRIGGER USER", [])
    _raw(sql, params)


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Chain Ltd", slug="chain")


def test_entries_are_chained_in_order_one_chain_per_organisation(org):
    other = OrganisationFactory(name="Other Ltd", slug="other")
    first, second = _write(org, 2)
    elsewhere = audit.record("test.thing", other, organisation=other)
    loose = audit.record("test.thing", org, organisation=None)
    loose = AuditEvent.objects.get(pk=loose.pk)
    assert (first.position, second.position, elsewhere.position) == (1, 2, 1)
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert elsewhere.prev_hash == GENESIS
    assert loose.organisation_id is None and loose.position >= 1
    assert AuditChain.objects.get(key=f"org:{org.pk}").hash == second.hash
    for chain in (org, other, None):
        assert audit.verify_chain(chain).intact


def test_record_many_chains_in_one_insert(org, django_assert_max_num_queries):
    objs = [org] * 5
    audit.record("test.before", org, organisation=org)
    with django_assert_max_num_queries(3) as ctx:  # lock head, INSERT, move head
        entries = audit.record_many("test.many", objs, organisation=org)
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert [e.position for e in entries] == [2, 3, 4, 5, 6]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    report = audit.verify_chain(org)
    assert report.intact and report.checked == 6 and report.head_hash == entries[-1].hash


def test_editing_a_row_with_raw_sql_is_found_at_its_position(org):
    entries = _write(org, 5)
    _tamper("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"n": 99}', entries[2].pk])
    report = audit.verify_chain(org)
    assert (report.intact, report.broken_at, report.problem) == (False, 3, "changed")
    assert report.checked == 2


def test_changing_who_did_it_is_found(org, world):
    entries = [audit.record("test.thing", org, by=world.admin.user, organisation=org) for _ in "ab"]
    _tamper(
        "UPDATE core_auditevent SET actor_id = %s WHERE id = %s",
        [world.manager.user.pk, entries[1].pk],
    )
    report = audit.verify_chain(org)
    assert (report.broken_at, report.problem) == (2, "changed")


def test_deleting_an_account_keeps_the_chain_intact(org, world):
    user = world.applicant.user
    user_id = user.pk
    audit.record("test.thing", org, by=user, organisation=org)
    world.applicant.user = None
    world.applicant.save()
    user.delete()
    entry = AuditEvent.objects.get(organisation=org, verb="test.thing")
    assert entry.actor_id is None and entry.actor_ref == user_id
    assert audit.verify_chain(org).intact


def test_deleting_a_row_with_raw_sql_is_found_at_its_position(org):
    entries = _write(org, 5)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [entries[1].pk])
    report = audit.verify_chain(org)
    assert (report.broken_at, report.problem) == (2, "missing")


def test_deleting_the_last_row_is_found_through_the_head(org):
    entries = _write(org, 3)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [entries[2].pk])
    report = audit.verify_chain(org)
    assert (report.broken_at, report.problem) == (3, "missing")


def test_rewriting_a_hash_to_match_is_still_found_by_the_next_link(org):
    from upward.core.audit_chain import entry_hash

    entries = _write(org, 3)
    victim = AuditEvent.objects.get(pk=entries[1].pk)
    fields = victim.chained_fields() | {"data": {"n": 42}}
    forged = entry_hash(**fields)
    _tamper(
        "UPDATE core_auditevent SET data = %s, hash = %s WHERE id = %s",
        ['{"n": 42}', forged, victim.pk],
    )
    report = audit.verify_chain(org)
    assert (report.broken_at, report.problem) == (3, "changed")


def test_the_orm_refuses_to_change_or_delete_entries(org):
    entry = audit.record("test.thing", org, organisation=org)
    entry.verb = "test.other"
    with pytest.raises(AuditLogIsAppendOnly, match="append-only"):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly, match="append-only"):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly, match="append-only"):
        AuditEvent.objects.filter(pk=entry.pk).update(verb="test.other")
    with pytest.raises(AuditLogIsAppendOnly, match="append-only"):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    assert AuditEvent.objects.get(pk=entry.pk).verb == "test.thing"


def test_an_entry_cannot_be_chained_twice(org):
    entry = audit.record("test.thing", org, organisation=org)
    with pytest.raises(AuditLogIsAppendOnly, match="chained once"):
        AuditEvent.objects.bulk_create([entry])


def test_deleting_an_organisation_takes_its_chain_and_says_so(org):
    _write(org, 3)
    org_id = org.pk
    org.delete()
    assert not AuditEvent.objects.filter(organisation_id=org_id).exists()
    assert not AuditChain.objects.filter(key=f"org:{org_id}").exists()
    note = AuditEvent.objects.get(verb="organisation.deleted", object_id=str(org_id))
    assert note.organisation_id is None and note.data["entries"] == 3
    assert audit.verify_chain(None).intact


def test_verify_audit_log_command_exits_non_zero_when_broken(org):
    entries = _write(org, 3)
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact" in out.getvalue()
    _tamper("UPDATE core_auditevent SET verb = %s WHERE id = %s", ["test.forged", entries[0].pk])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_log", stdout=out)
    assert exit_info.value.code == 1
    assert "broken at entry 1" in out.getvalue()


pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")


@pg_only
def test_postgresql_refuses_raw_updates_and_deletes(org):
    entry = audit.record("test.thing", org, organisation=org)
    for sql in (
        "UPDATE core_auditevent SET verb = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE core_auditchain SET position = 0 WHERE key = %s", [f"org:{org.pk}"])
    assert AuditEvent.objects.get(pk=entry.pk).verb == "test.thing"


@pg_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_concurrent_writers_never_fork_a_chain():
    org = OrganisationFactory(name="Race Ltd", slug="race")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    audit.record("test.race", org, organisation=org)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    positions = sorted(
        AuditEvent.objects.filter(organisation=org).values_list("position", flat=True)
    )
    assert positions == list(range(1, 21))
    assert audit.verify_chain(org).intact

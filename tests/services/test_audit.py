import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from baodao.audit.models import Action, AuditEvent, AuditHead
from baodao.audit.services import GENESIS, audit_record, audit_verify
from tests import factories


@pytest.fixture
def chain(db, rf_request):
    actor = factories.user(name="审计测试")
    return [
        audit_record(action=Action.LOGIN, actor=actor, request=rf_request("10.1.2.3")),
        audit_record(action=Action.LOGIN_FAILED, actor_label="13900000000", detail={"n": 1}),
        audit_record(action=Action.UNMASKED, actor=actor, target=actor, detail={"fields": ["phone"]}),
    ]


def _drop_append_only_triggers() -> None:
    """What an attacker with DDL rights on the database would do first. Both SQLite and PostgreSQL run DDL
    inside the test's transaction, so the triggers come back when the test is rolled back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's inserts must run before the ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


def test_it_chains_each_entry_to_the_previous_one(chain):
    first, second, third = chain
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({e.hash for e in chain}) == 3
    assert AuditHead.objects.get().last_hash == third.hash


def test_it_records_actor_target_and_address(chain):
    first, second, third = (AuditEvent.objects.get(pk=e.pk) for e in chain)
    assert first.actor_label == first.actor.phone
    assert first.ip == "10.1.2.3"
    assert second.actor is None and second.actor_label == "13900000000"
    assert (third.target_type, third.target_id) == ("user", str(third.actor_id))


def test_it_verifies_a_clean_chain(chain):
    assert audit_verify() == (True, 3, None)


def test_it_verifies_an_empty_log(db):
    assert audit_verify() == (True, 0, None)


def test_it_verifies_entries_with_ipv6_addresses_and_unicode_detail(db, rf_request):
    # The database stores addresses in canonical form; the hash must be of what is stored.
    audit_record(action=Action.LOGIN_FAILED, actor_label="x", request=rf_request("2001:0DB8:0000::0001"))
    audit_record(action=Action.LOGIN_FAILED, actor_label="x", request=rf_request("::ffff:10.0.0.1"))
    audit_record(action=Action.LOGIN_FAILED, actor_label="x", request=rf_request("2001:db8:0:1:1:1:1:1"))
    audit_record(
        action=Action.POLICY_CHANGED, actor_label="区组织部", detail={"原因": "报到率达标线调整", "值": 0.95}
    )
    assert audit_verify() == (True, 4, None)


def test_it_leaves_out_an_address_that_is_not_one(db, rf_request):
    event = audit_record(action=Action.LOGIN_FAILED, actor_label="x", request=rf_request("unknown"))
    assert event.ip is None
    assert audit_verify() == (True, 1, None)


def test_it_refuses_to_update_an_entry_in_the_database(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).update(actor_label="someone else")
    assert AuditEvent.objects.get(pk=chain[0].pk).actor_label == chain[0].actor_label


def test_it_refuses_to_save_a_changed_entry(chain):
    event = AuditEvent.objects.get(pk=chain[1].pk)
    event.detail = {"n": 2}
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()


def test_it_refuses_to_delete_an_entry_in_the_database(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[1].pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


def test_it_refuses_raw_sql_changes_too(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'login' WHERE id = %s", [chain[2].pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE exists on PostgreSQL only")
def test_it_refuses_truncate_on_postgresql(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent CASCADE")


# The triggers stop the application and anyone without DDL rights. Whoever can drop them can rewrite rows,
# so the chain must expose that: these tests drop the triggers inside the test's own transaction, forge or
# remove rows with plain SQL, and check that verification names the first broken entry.


def test_it_detects_a_forged_entry(chain):
    _drop_append_only_triggers()
    AuditEvent.objects.filter(pk=chain[1].pk).update(actor_label="13911111111")
    assert audit_verify() == (False, 1, chain[1].pk)


def test_it_detects_a_forged_entry_whose_hash_was_recomputed(chain):
    from baodao.audit.services import _digest, _hashed_fields

    _drop_append_only_triggers()
    forged = AuditEvent.objects.get(pk=chain[1].pk)
    forged.detail = {"n": 0}
    forged_hash = _digest(forged.prev_hash, _hashed_fields(forged))
    AuditEvent.objects.filter(pk=forged.pk).update(detail=forged.detail, hash=forged_hash)
    # The forged entry is consistent in itself; the next one no longer links to it.
    assert audit_verify() == (False, 2, chain[2].pk)


def test_it_detects_a_whole_chain_rebuilt_without_the_key(chain):
    """Someone with database rights alone rewrites an entry and recomputes every hash after it with plain
    SHA-256, head included: without the chain key, verification still fails at the first rebuilt entry."""
    import hashlib
    import json

    from baodao.audit.services import GENESIS, _hashed_fields

    _drop_append_only_triggers()
    AuditEvent.objects.filter(pk=chain[0].pk).update(actor_label="13911111111")
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        payload = json.dumps(
            _hashed_fields(event), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        digest = hashlib.sha256((prev + payload).encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditHead.objects.filter(id=1).update(last_hash=prev)
    assert audit_verify() == (False, 0, chain[0].pk)


def test_it_detects_a_removed_entry(chain):
    _drop_append_only_triggers()
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    assert audit_verify() == (False, 1, chain[2].pk)


def test_it_detects_a_removed_last_entry_through_the_head(chain):
    _drop_append_only_triggers()
    AuditEvent.objects.filter(pk=chain[2].pk).delete()
    assert audit_verify() == (False, 2, None)


def test_it_detects_a_log_emptied_behind_the_heads_back(chain):
    _drop_append_only_triggers()
    AuditEvent.objects.all().delete()
    assert audit_verify() == (False, 0, None)


def test_it_detects_a_missing_head(chain):
    AuditHead.objects.all().delete()
    assert audit_verify()[0] is False


def test_it_keeps_chaining_inside_an_outer_transaction_that_rolls_back(chain):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_record(action=Action.LOGOUT, actor_label="gone")
        raise Boom
    audit_record(action=Action.LOGOUT, actor_label="kept")
    assert audit_verify() == (True, 4, None)


def test_the_command_reports_an_intact_log(chain, capsys):
    call_command("audit_verify")
    assert "审计日志完整：共 3 条" in capsys.readouterr().out


def test_the_command_fails_on_a_broken_chain(chain):
    _drop_append_only_triggers()
    AuditEvent.objects.filter(pk=chain[0].pk).update(action=Action.LOGOUT)
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert "哈希链已断裂" in str(exc.value)
    assert f"ID {chain[0].pk}" in str(exc.value)

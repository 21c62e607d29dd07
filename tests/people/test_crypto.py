"""Identity encryption: Fernet keys from settings, the first encrypts, all decrypt; rotation."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from hls.tenancy.context import tenant_scope
from systems.models import PersonIdentity
from systems.people import crypto, services
from systems.people.selectors import decrypt_identity
from tests.bypass import all_workspaces
from tests.factories import PersonFactory

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_round_trip_and_the_stored_bytes_do_not_hold_the_text() -> None:
    token = crypto.encrypt("Morag Example")

    assert isinstance(token, bytes)
    assert b"Morag" not in token
    assert crypto.decrypt(token) == "Morag Example"
    assert crypto.decrypt(memoryview(token)) == "Morag Example"  # as the database returns it


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    with override_settings(IDENTITY_KEYS=[NEW, OLD]):
        token = crypto.encrypt("Mo")
    with override_settings(IDENTITY_KEYS=[NEW]):
        assert crypto.decrypt(token) == "Mo"
    with override_settings(IDENTITY_KEYS=[OLD]), pytest.raises(ImproperlyConfigured):
        crypto.decrypt(token)
    with override_settings(IDENTITY_KEYS=[OLD]):
        old_token = crypto.encrypt("Mo")
    with override_settings(IDENTITY_KEYS=[NEW, OLD]):
        assert crypto.decrypt(old_token) == "Mo"


def test_without_keys_production_fails_clearly_at_first_use() -> None:
    with (
        override_settings(IDENTITY_KEYS=[], DEBUG=False),
        pytest.raises(ImproperlyConfigured, match="IDENTITY_KEYS is empty"),
    ):
        crypto.encrypt("Mo")


def test_without_keys_development_derives_a_stable_key_from_the_secret_key() -> None:
    with override_settings(IDENTITY_KEYS=[], DEBUG=True, SECRET_KEY="dev-secret"):
        token = crypto.encrypt("Mo")
        assert crypto.decrypt(token) == "Mo"
    with override_settings(IDENTITY_KEYS=[crypto.development_key("dev-secret")]):
        assert crypto.decrypt(token) == "Mo"  # stable: the same secret gives the same key
    assert crypto.development_key("dev-secret") != crypto.development_key("other-secret")


def test_a_malformed_key_is_refused_without_echoing_it() -> None:
    with (
        override_settings(IDENTITY_KEYS=[NEW, "not-a-key-SECRET"]),
        pytest.raises(ImproperlyConfigured, match="key number 2") as error,
    ):
        crypto.encrypt("Mo")
    assert "SECRET" not in str(error.value)


def test_settings_read_the_keys_from_the_environment() -> None:
    script = "import hls.settings as s; print(','.join(s.IDENTITY_KEYS))"
    env = {**os.environ, "IDENTITY_KEYS": f"{NEW},{OLD}", "SECRET_KEY": "x", "DEBUG": "0"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"{NEW},{OLD}"


def _identity(workspace, name: str) -> int:
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(workspace=workspace)
        return PersonIdentity.objects.create(
            workspace=workspace,
            person=person,
            name=crypto.encrypt(name),
            date_of_birth=crypto.encrypt("1984-03-21"),
            contact=None,
        ).pk


def _stored() -> dict[int, tuple[bytes, bytes | None]]:
    with all_workspaces("test: read the ciphertext"):
        return {
            row.pk: (bytes(row.name), bytes(row.date_of_birth) if row.date_of_birth else None)
            for row in PersonIdentity.objects.all()
        }


def test_rotation_re_encrypts_every_identity_in_every_workspace_with_the_new_key(
    workspace, other_workspace
) -> None:
    with override_settings(IDENTITY_KEYS=[OLD]):
        here = _identity(workspace, "Morag Example")
        there = _identity(other_workspace, "Hamish Example")
    before = _stored()
    with override_settings(IDENTITY_KEYS=[NEW]), pytest.raises(ImproperlyConfigured):
        crypto.decrypt(before[here][0])  # not yet readable with the new key alone

    with override_settings(IDENTITY_KEYS=[NEW, OLD]):
        call_command("rotate_identity_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115

    after = _stored()
    assert after[here][0] != before[here][0]
    assert after[there][0] != before[there][0]
    assert after[here][1] != before[here][1]
    with override_settings(IDENTITY_KEYS=[NEW]), all_workspaces("test: decrypt"):
        assert decrypt_identity(PersonIdentity.objects.get(pk=here)).name == "Morag Example"
        decrypted = decrypt_identity(PersonIdentity.objects.get(pk=there))
        assert decrypted.name == "Hamish Example"
        assert decrypted.date_of_birth.isoformat() == "1984-03-21"


def test_rotation_reports_how_many_it_re_encrypted(workspace, capsys) -> None:
    with override_settings(IDENTITY_KEYS=[OLD]):
        _identity(workspace, "Morag Example")
    with override_settings(IDENTITY_KEYS=[NEW, OLD]):
        call_command("rotate_identity_keys")
    assert "Re-encrypted 1 identity" in capsys.readouterr().out


def test_rotation_refuses_if_the_old_key_was_removed_too_early(workspace) -> None:
    with override_settings(IDENTITY_KEYS=[OLD]):
        pk = _identity(workspace, "Morag Example")
    before = _stored()[pk]
    with override_settings(IDENTITY_KEYS=[NEW]), pytest.raises(ImproperlyConfigured):
        call_command("rotate_identity_keys")
    assert _stored()[pk] == before  # nothing half-done


def test_identity_set_encrypts_with_the_first_key(workspace, person, team_member) -> None:
    with override_settings(IDENTITY_KEYS=[NEW, OLD]), tenant_scope(workspace_id=workspace.pk):
        row = services.identity_set(
            workspace=workspace,
            person=person,
            actor=team_member.user,
            name="Morag",
            date_of_birth=None,
            contact="",
        )
    with override_settings(IDENTITY_KEYS=[NEW]):
        assert crypto.decrypt(row.name) == "Morag"
    assert row.contact is None

"""Platform services: re-encrypting stored data with the newest key."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models import Model

from apps.core.crypto import field_cipher
from apps.core.exceptions import DecryptionError, InvalidInput
from apps.core.fields import EncryptedFieldMixin

logger = logging.getLogger(__name__)


@dataclass
class ColumnRotation:
    label: str
    scanned: int = 0
    rotated: int = 0
    failed_pks: list = field(default_factory=list)


@dataclass
class RotationReport:
    primary_fingerprint: str
    columns: list[ColumnRotation]
    dry_run: bool

    @property
    def rotated(self) -> int:
        return sum(column.rotated for column in self.columns)

    @property
    def failed(self) -> int:
        return sum(len(column.failed_pks) for column in self.columns)


def encrypted_columns(model_labels: list[str] | None = None) -> Iterator[tuple[type[Model], EncryptedFieldMixin]]:
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or (model_labels and meta.label_lower not in model_labels):
            continue
        for model_field in meta.concrete_fields:
            if isinstance(model_field, EncryptedFieldMixin):
                yield model, model_field


def encryption_rotate(
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    model_labels: list[str] | None = None,
    progress: Callable[[ColumnRotation], None] | None = None,
) -> RotationReport:
    """Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

    Walks each table in primary-key order, one transaction per batch. Rows already written with the
    newest key are skipped without decrypting, so an interrupted run simply starts again and finishes
    the rest. A row that cannot be decrypted is left untouched and reported.
    """
    cipher = field_cipher()
    labels = [label.lower() for label in model_labels] if model_labels else None
    columns = []
    for model, encrypted_field in encrypted_columns(labels):
        column = _rotate_column(model, encrypted_field, batch_size=batch_size, dry_run=dry_run)
        columns.append(column)
        if progress:
            progress(column)
    if model_labels and not columns:
        raise InvalidInput(f"No encrypted columns in {', '.join(model_labels)}.")
    return RotationReport(primary_fingerprint=cipher.primary_fingerprint, columns=columns, dry_run=dry_run)


def _rotate_column(model: type[Model], encrypted_field, *, batch_size: int, dry_run: bool) -> ColumnRotation:
    cipher = field_cipher()
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, pk, column = quote(model._meta.db_table), quote(model._meta.pk.column), quote(encrypted_field.column)
    label = encrypted_field.label_for_errors
    # Identifiers come from model metadata and are quoted; values travel as parameters.
    select_first = f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY {pk} LIMIT %s"  # noqa: S608
    select_next = f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608
    result = ColumnRotation(label=label)
    last_pk = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last_pk is None:
                cursor.execute(select_first, [batch_size])
            else:
                cursor.execute(select_next, [last_pk, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return result
            updates = []
            for row_pk, stored in rows:
                if cipher.is_current(stored):
                    continue
                try:
                    updates.append((cipher.rotate(stored, label=f"{label} pk={row_pk}"), row_pk, stored))
                except DecryptionError as error:
                    logger.error("encryption_rotate: %s", error)
                    result.failed_pks.append(row_pk)
            if updates and not dry_run:
                # Compare-and-set: a row the application rewrote meanwhile already carries the newest key.
                cursor.executemany(update, updates)
            result.scanned += len(rows)
            result.rotated += len(updates)
            last_pk = rows[-1][0]

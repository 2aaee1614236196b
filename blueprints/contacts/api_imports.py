"""REST adapter of imports and exports: ``/api/v1/contacts/imports`` and ``/contacts/export``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Request, Response, send_file, stream_with_context
from flask.views import MethodView
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from blueprints.contacts import exporting, importing, tasks
from blueprints.contacts.schemas import ExportArgs, ImportSchema, ImportUploadSchema
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires
from engagex.db import db, utcnow
from engagex.tenancy import tenant_context


class _UploadParser(FlaskParser):
    """Adds the ``multipart`` location: form fields and files parsed by one schema."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Request, schema: Any) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _UploadBlueprint(Blueprint):
    # One ``multipart/form-data`` request body in the OpenAPI document, not two.
    ARGUMENTS_PARSER = _UploadParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = _UploadBlueprint(
    "contact-imports",
    __name__,
    url_prefix="/api/v1",
    description="Import contacts from CSV or Excel (as a job) and export them",
)


@blp.route("/contacts/imports")
class Imports(MethodView):
    @requires("contacts:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(ImportSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Imports, newest first, with their progress or outcome."""
        return importing.list_imports(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("contacts:import")
    @blp.arguments(ImportUploadSchema, location="multipart")
    @blp.response(202, ImportSchema)
    def post(self, form: dict[str, Any]) -> Any:
        """Upload a file and start importing it; poll the import for progress.

        Columns are mapped from their headers (Email, E-mail, First Name, ...) and
        ``mapping``; ``group`` (a name, created if missing) or ``group_id`` receives the
        contacts. Rejected rows are listed in ``errors`` and downloadable as CSV.
        """
        upload = form["file"]
        record = importing.create_import(
            current_actor(),
            filename=upload.filename or "upload",
            upload=upload.stream,
            mode=form["mode"],
            group=form.get("group_id") or form.get("group"),
            mapping=form.get("mapping"),
            sheet=form.get("sheet"),
            create_fields=form["create_fields"],
            delimiter=form.get("delimiter"),
            encoding=form.get("encoding"),
        )
        tasks.enqueue_import(record.organization_id, record.id)
        return record


@blp.route("/contacts/imports/<id:import_id>")
class ImportItem(MethodView):
    @requires("contacts:read")
    @blp.response(200, ImportSchema)
    def get(self, import_id: int) -> Any:
        """Status, percent done, rows/s and, once finished, the counts."""
        return importing.show_import(current_actor(), import_id)


@blp.route("/contacts/imports/<id:import_id>/rejected")
class ImportRejected(MethodView):
    @requires("contacts:import")
    @blp.response(200, content_type="text/csv")
    def get(self, import_id: int) -> Response:
        """The rejected rows as CSV: row number, field, reason, then the row's cells."""
        path = importing.rejected_file(current_actor(), import_id)
        return send_file(
            path,
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"import-{import_id}-rejected.csv",
            max_age=0,
        )


@blp.route("/contacts/export")
class Export(MethodView):
    @requires("contacts:export")
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args: dict[str, Any]) -> Response:
        """All contacts, a group or a segment as CSV (streamed) or XLSX.

        Text cells starting with = + - @ TAB or CR are prefixed with an apostrophe so that
        spreadsheets never run them as formulas.
        """
        actor = current_actor()
        export = exporting.export_contacts(
            actor,
            group_id=args.get("group_id"),
            segment_id=args.get("segment_id"),
            status=args.get("status"),
        )
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        if args["format"] == "xlsx":
            handle, name = tempfile.mkstemp(suffix=".xlsx")
            os.close(handle)
            exporting.write_xlsx(export, Path(name))
            response = send_file(
                name,
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                as_attachment=True,
                download_name=f"contacts-{stamp}.xlsx",
                max_age=0,
            )
            response.call_on_close(lambda: os.path.exists(name) and os.unlink(name))
            return response

        org_id, user_id = actor.organization_id, actor.user_id

        def generate() -> Any:
            # Runs after the view returned: the rows are read in a transaction of their own.
            with tenant_context(org_id, user_id):  # type: ignore[arg-type]
                try:
                    yield from exporting.csv_chunks(export)
                finally:
                    db.session.rollback()

        response = Response(stream_with_context(generate()), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.csv"'
        return response

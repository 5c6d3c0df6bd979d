"""Reading company, role, sender and date out of a pasted rejection email."""

from __future__ import annotations

from datetime import date

from nextround.email_fields import extract_fields

OUTLOOK_COPY = """From: Priya Shah <priya.shah@brightwater.example>
Sent: Tuesday, 14 October 2025 16:02
To: Sam Lee
Subject: Your application - Senior Analyst

Dear Sam,

Thank you for interviewing for the Senior Analyst position at Brightwater Energy.
After careful thought we have decided to offer the role to another candidate.

Kind regards,
Priya Shah
Talent Partner
Brightwater Energy
"""

GMAIL_COPY = """Jordan Miles <jordan@harbourlane.example>
Mar 3, 2026, 9:15 AM
to me

Hi Alex,

Thanks for your interest in Harbour Lane Books and for meeting the team about the
bookseller role. We've decided not to take your application further.

Best,
Jordan Miles
"""

BARE = "Unfortunately we won't be moving forward. We wish you luck."


def test_outlook_copy_gives_every_field():
    found = extract_fields(OUTLOOK_COPY)
    assert found.company.value == "Brightwater Energy"
    assert found.role.value == "Senior Analyst"
    assert found.contact.value == "Priya Shah"
    assert found.date.value == date(2025, 10, 14)
    assert "14 October 2025" in found.date.evidence


def test_gmail_copy_reads_the_date_line_and_the_signature():
    found = extract_fields(GMAIL_COPY.replace("Mar 3, 2026, 9:15 AM", "Date: Mar 3, 2026, 9:15 AM"))
    assert found.company.value == "Harbour Lane Books"
    assert found.role.value == "bookseller"
    assert found.contact.value == "Jordan Miles"
    assert found.date.value == date(2026, 3, 3)


def test_an_email_that_names_nothing_gives_nothing():
    found = extract_fields(BARE)
    assert found.found() == {}


def test_iso_dates_and_impossible_dates():
    assert extract_fields("Date: 2026-02-28\n\nNo.").date.value == date(2026, 2, 28)
    assert extract_fields("Date: 2026-02-30\n\nNo.").date is None


def test_a_greeting_is_not_a_company_and_a_title_is_not_a_name():
    text = ("Dear Ms Ortiz,\nWe appreciate your interest in the position of Care Assistant.\n"
            "\nSincerely,\nHuman Resources Manager\n")
    found = extract_fields(text)
    assert found.role.value == "Care Assistant"
    assert found.contact is None
    assert found.company is None


def test_found_values_print_plainly():
    found = extract_fields(OUTLOOK_COPY)
    assert str(found.date) == "2025-10-14"
    assert list(found.found()) == ["company", "role", "contact", "date"]


def test_huge_paste_is_read_in_bounded_time():
    found = extract_fields("Dear Sam, " + "blah " * 200_000)
    assert found.found() == {}


def test_a_date_on_its_own_line_and_an_honorific_in_the_signature():
    found = extract_fields("3rd March 2026\n\nDear Kim,\nThank you for applying for the "
                           "position of Store Manager. We will not be taking it further.\n\n"
                           "Yours sincerely,\n\nMrs J. Okafor.\n")
    assert found.date.value == date(2026, 3, 3)
    assert found.contact.value == "Mrs J. Okafor"
    assert found.role.value == "Store Manager"


def test_a_date_inside_a_sentence_is_not_the_date_sent():
    found = extract_fields("Dear Kim,\nWe interviewed on 3 March 2026 and have decided not "
                           "to proceed.\n")
    assert found.date is None

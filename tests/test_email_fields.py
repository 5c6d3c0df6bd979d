"""Reading company, role, sender and date out of a pasted rejection email."""

from __future__ import annotations

from datetime import date

import pytest

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


# --- Spanish letters ---------------------------------------------------------------------

OUTLOOK_ES = """De: Lucía Fernández <lucia.fernandez@aguasclaras.example>
Enviado el: martes, 14 de octubre de 2025 16:02
Para: Sam Lee
Asunto: Tu candidatura - Analista de Datos

Estimado Sam:

Gracias por participar en el proceso de selección para el puesto de Analista de Datos en
Aguas Claras Energía. Tras valorarlo con detenimiento, hemos decidido continuar con otra
candidatura.

Atentamente,
Lucía Fernández
Responsable de Selección
Aguas Claras Energía
"""

LETTER_ES = """Madrid, 12 de marzo de 2026

Estimada Sra. López:

Le agradecemos su interés en Librerías del Puerto y el tiempo dedicado a la entrevista
para la vacante de dependienta. Lamentamos comunicarle que no ha sido seleccionada.

Un cordial saludo,

María José García de la Fuente
Departamento de Recursos Humanos
"""

GMAIL_ES = """Jordi Puig <jordi@riberagrupo.example>
3 mar 2026, 9:15
para mí

Hola, Alex:

Gracias por tu interés en formar parte de Grupo Ribera. Hemos decidido no seguir adelante
con tu candidatura como técnico de mantenimiento.

Un saludo,
Jordi Puig
"""


def test_a_spanish_outlook_copy_gives_every_field():
    found = extract_fields(OUTLOOK_ES)
    assert found.company.value == "Aguas Claras Energía"
    assert found.role.value == "Analista de Datos"
    assert found.contact.value == "Lucía Fernández"
    assert found.date.value == date(2025, 10, 14)
    assert "14 de octubre de 2025" in found.date.evidence


def test_a_spanish_letter_reads_its_date_line_greeting_and_signature():
    found = extract_fields(LETTER_ES)
    assert found.date.value == date(2026, 3, 12)
    assert found.company.value == "Librerías del Puerto"
    assert found.company.evidence == "interés en Librerías del Puerto"
    assert found.role.value == "dependienta"
    assert found.contact.value == "María José García de la Fuente"


def test_a_spanish_gmail_copy_with_a_short_month():
    found = extract_fields(GMAIL_ES)
    assert found.date.value == date(2026, 3, 3)
    assert found.company.value == "Grupo Ribera"
    assert found.role.value == "técnico de mantenimiento"
    assert found.contact.value == "Jordi Puig"


@pytest.mark.parametrize(("written", "expected"), [
    ("Fecha: 5 de enero de 2026", date(2026, 1, 5)),
    ("Fecha: 1 de setiembre de 2025", date(2025, 9, 1)),
    ("Fecha: 30 dic. 2025", date(2025, 12, 30)),
    ("Fecha: 31 de febrero de 2026", None),
])
def test_spanish_dates(written, expected):
    found = extract_fields(written + "\n\nNo.")
    assert (found.date.value if found.date else None) == expected


def test_a_spanish_greeting_department_or_city_is_not_a_company_or_a_name():
    found = extract_fields("Estimado/a candidato/a:\nGracias por tu interés en el puesto de "
                           "trabajo. En relación al proceso de selección que realizó en MADRID, "
                           "no seguimos adelante.\n\nAtentamente,\nDepartamento de Recursos "
                           "Humanos\n")
    assert found.company is None and found.contact is None and found.role is None


def spanish_emails(part: str) -> list[dict]:
    from pathlib import Path

    import yaml

    path = Path(__file__).parent / "data" / "real" / "es" / f"rechazos_{part}.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [item for item in items if "fields" in item]


def test_real_spanish_emails_of_the_tuning_part_give_what_they_hold():
    """The Spanish rules were written from this part (and the letters above) only."""
    emails = spanish_emails("ajuste")
    assert len(emails) >= 7
    wrong = []
    for item in emails:
        found = extract_fields(item["text"])
        for name, truth in item["fields"].items():
            value = getattr(found, name)
            if (str(value.value) if value else None) != (str(truth) if truth else None):
                wrong.append((item["id"], name, truth, value))
    assert not wrong, wrong


def test_real_spanish_emails_of_the_test_part_keep_their_measured_figure():
    """Measured once with the Spanish rules frozen (9 letters, one field held, the role:
    found right, and nothing found where a letter names nothing). A floor, not a target:
    the corpus keeps key sentences with names replaced, so few fields are held."""
    emails = spanish_emails("prueba")
    assert len(emails) == 9
    held = right = spurious = 0
    for item in emails:
        found = extract_fields(item["text"])
        for name, truth in item["fields"].items():
            value = getattr(found, name)
            if truth is None:
                spurious += value is not None
            else:
                held += 1
                right += value is not None and str(value.value) == str(truth)
    assert (held, right, spurious) == (1, 1, 0)

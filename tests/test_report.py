"""The service report: small counts hidden so none can be worked out (``suppression``),
and figures that match generated data whose answers are known (``service_data``), in the
report, its .xlsx and its .csv, written by ``nextround report``."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest
from openpyxl import load_workbook
from service_data import INSIDER, SKILL, add_service

from nextround.cli import main
from nextround.report import (
    FEW_CLIENTS,
    NO_DATE,
    NO_INTERVIEW,
    NOT_STARTED,
    build_report,
    stage_titles,
)
from nextround.report_files import CSV_COLUMNS, csv_bytes, report_format, xlsx_bytes
from nextround.suppression import (
    FEWER_THAN,
    HIDDEN,
    PROTECTING,
    SHOWN,
    SMALL_COUNT,
    Count,
    suppress,
    worked_out,
)

TODAY = date(2026, 11, 28)
LOG, PLAN = stage_titles()[1], stage_titles()[7]


# --- suppression ---------------------------------------------------------------------


def test_a_count_under_5_is_hidden_and_larger_ones_are_shown():
    cells, total = suppress({"a": 12, "b": 3, "c": 9, "d": 0})
    assert cells["b"].shown == FEWER_THAN
    assert cells["d"].shown == FEWER_THAN
    assert total.shown == 24


def test_a_lone_small_count_beside_a_total_hides_the_next_smallest_too():
    cells, total = suppress({"a": 12, "b": 3, "c": 9})
    assert {k: c.shown for k, c in cells.items()} == {"a": 12, "b": FEWER_THAN, "c": PROTECTING}
    assert total.shown == 24


def test_two_counts_of_four_are_pinned_by_their_total_so_a_third_is_hidden():
    # 4 + 4 = 8 is the only way two counts under 5 make 8.
    cells, _total = suppress({"a": 4, "b": 4, "c": 20, "d": 30})
    assert [cells[k].state for k in "abcd"] == [SMALL_COUNT, SMALL_COUNT, HIDDEN, SHOWN]


def test_a_total_under_5_hides_itself_and_every_count():
    cells, total = suppress({"a": 3, "b": 1})
    assert total.shown == FEWER_THAN
    assert {c.shown for c in cells.values()} == {FEWER_THAN}


def test_when_every_count_is_hidden_and_one_still_follows_the_total_is_hidden():
    # Done 0, not done 5: with both hidden, a total of 5 would say "0 and 5".
    cells, total = suppress({"Done": 0, "Not done": 5})
    assert total.state == HIDDEN
    assert cells["Done"].shown == FEWER_THAN


def test_worked_out_finds_a_count_the_total_gives_away():
    cells = {"a": Count(12), "b": Count(3, SMALL_COUNT)}
    assert worked_out(cells, 15) == ["b"]
    assert worked_out({"a": Count(2, SMALL_COUNT), "b": Count(3, SMALL_COUNT)}, 5) == []


def _possible(cells: dict[str, Count], total: Count, limit: int = 5) -> dict[str, set[int]]:
    """Every value each hidden count could have, given what is shown: brute force."""
    hidden = [k for k, c in cells.items() if c.state != SHOWN]
    shown_sum = sum(c.value for c in cells.values() if c.state == SHOWN)
    top = total.value if total.state == SHOWN else 3 * limit
    ranges = [range(limit) if cells[k].state == SMALL_COUNT else range(limit, top + 1)
              for k in hidden]
    found: dict[str, set[int]] = {k: set() for k in hidden}
    for values in itertools.product(*ranges):
        if total.state == SHOWN and shown_sum + sum(values) != total.value:
            continue
        for key, value in zip(hidden, values, strict=True):
            found[key].add(value)
    return found


@pytest.mark.parametrize("counts", [
    (12, 3, 9), (4, 4, 20, 30), (0, 5), (0, 0, 7), (1, 1, 1, 40), (2, 6), (6, 6, 1),
    (4, 0, 4, 0, 9), (5, 5, 5), (0, 0, 0, 0, 0, 0, 5), (3, 3, 3, 3, 3),
])
def test_no_hidden_count_can_be_worked_out_by_subtraction(counts):
    cells, total = suppress({f"c{i}": n for i, n in enumerate(counts)})
    for key, values in _possible(cells, total).items():
        assert len(values) > 1, (key, cells, total)
        assert cells[key].value in values
    for cell in cells.values():
        assert cell.state != SHOWN or cell.value >= 5


# --- generated data with known answers ----------------------------------------------------


@pytest.fixture
def service(store):
    add_service(store)
    return store


def test_clients_by_stage_match_the_data_with_three_hidden(service, content):
    stages = build_report(service, content, today=TODAY).figure("stages")
    assert stages.cell(LOG, "Clients") == 12
    assert stages.cell(PLAN, "Clients") == 10
    assert stages.cell(NOT_STARTED, "Clients") == FEWER_THAN
    assert stages.cell("All clients", "Clients") == 25
    assert 3 not in [row[1] for row in stages.rows]


def test_kinds_of_feedback_match_the_data(service, content):
    feedback = build_report(service, content, today=TODAY).figure("feedback")
    titles = {s.id: s.title for s in content.scenarios}
    assert feedback.cell(titles[SKILL], "Rejections") == 8
    assert feedback.cell(titles[INSIDER], "Rejections") == FEWER_THAN
    assert feedback.cell("All rejections", "Rejections") == 10


def test_time_to_the_next_interview_matches_the_data(service, content):
    interview = build_report(service, content, today=TODAY).figure("interview")
    assert interview.cell("1 to 7 days", "Rejections") == 8
    assert interview.cell(NO_INTERVIEW, "Rejections") == FEWER_THAN
    assert interview.cell(NO_DATE, "Rejections") == FEWER_THAN
    assert interview.cell("All rejections", "Rejections") == 10
    assert "the median time to it was 5 days" in interview.summary


def test_actions_done_against_due_hide_a_small_done_and_its_complement(service, content):
    actions = build_report(service, content, today=TODAY).figure("actions")
    assert actions.rows == (("Apr 2026", 16, 8, 8), ("May 2026", 9, FEWER_THAN, PROTECTING))


def test_mood_over_time_hides_the_average_of_fewer_than_5_clients(service, content):
    mood = build_report(service, content, today=TODAY).figure("mood")
    assert mood.rows == (("Apr 2026", 8, 8, 3.0), ("May 2026", FEWER_THAN, FEWER_THAN,
                                                     FEW_CLIENTS))
    assert mood.summary == ("The average mood in Apr 2026 was 3 of 5. In 1 month, fewer than 5 "
                            "clients checked in, so no average is shown there.")


def test_since_keeps_only_records_from_that_day(service, content):
    report = build_report(service, content, since=date(2026, 4, 15), today=TODAY)
    assert report.figure("stages").cell("All clients", "Clients") == 22  # the quiet 3 left
    assert report.figure("feedback").cell("All rejections", "Rejections") == FEWER_THAN
    # Of April's actions, only the 8 due on the 20th (none done) remain.
    assert report.figure("actions").rows == (("Apr 2026", 8, FEWER_THAN, PROTECTING),
                                             ("May 2026", 9, FEWER_THAN, PROTECTING))
    assert [row[0] for row in report.figure("mood").rows] == ["May 2026"]
    assert report.period == "since 15 April 2026"


def test_an_empty_store_gives_a_report_that_says_so(store, content):
    report = build_report(store, content, today=TODAY)
    assert report.figure("stages").summary.startswith("Fewer than 5 clients were active")
    assert report.figure("actions").rows == ()
    assert report.figure("mood").summary == "No mood check-ins (all records)."
    book = load_workbook(io.BytesIO(xlsx_bytes(report)))
    assert book.sheetnames == ["About", "Stages", "Feedback", "Next interview", "Actions",
                               "Mood"]
    assert [c.value for c in book["Mood"][1]] == list(report.figure("mood").head)


# --- files -----------------------------------------------------------------------------


def _sheet_rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_has_one_sheet_per_figure_with_the_known_answers(service, content):
    report = build_report(service, content, today=TODAY)
    book = load_workbook(io.BytesIO(xlsx_bytes(report)))
    for figure in report.figures:
        assert _sheet_rows(book[figure.sheet]) == [figure.head, *figure.rows]
    assert _sheet_rows(book["Stages"])[2] == (LOG, 12)
    assert ("May 2026", 9, FEWER_THAN, PROTECTING) in _sheet_rows(book["Actions"])
    about = dict(_sheet_rows(book["About"])[1:])
    assert about["Covers"] == "all records"
    assert FEWER_THAN in about["Small counts"]


def test_the_csv_is_one_tidy_long_table_with_the_known_answers(service, content):
    report = build_report(service, content, today=TODAY)
    text = csv_bytes(report).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == CSV_COLUMNS
    table = {(f, c, m): v for f, c, m, v in lines[1:]}
    assert table[("Clients by stage of the journey", LOG, "Clients")] == "12"
    assert table[("Clients by stage of the journey", NOT_STARTED, "Clients")] == FEWER_THAN
    assert table[("Actions done against due", "May 2026", "Not done")] == PROTECTING
    assert table[("Mood over time", "Apr 2026", "Average mood (1 to 5)")] == "3.0"
    assert len(lines) - 1 == sum(len(f.rows) * (len(f.head) - 1) for f in report.figures)


def test_a_label_that_looks_like_a_formula_stays_text(store, content):
    scenario = content.scenarios[0].model_copy(update={"title": "=1+1"})
    changed = content.__class__(**{**content.__dict__, "scenarios": (scenario,
                                                                   *content.scenarios[1:])})
    book = load_workbook(io.BytesIO(xlsx_bytes(build_report(store, changed, today=TODAY))))
    assert book["Feedback"]["A2"].value == "=1+1"
    assert book["Feedback"]["A2"].data_type == "s"


@pytest.mark.parametrize("name", ["report.txt", "report", "report.xls"])
def test_a_wrong_file_ending_is_refused_in_plain_words(name):
    with pytest.raises(Exception, match=r"\.xlsx \(Excel\) or \.csv"):
        report_format(name)


# --- the command -----------------------------------------------------------------------


def test_nextround_report_writes_an_xlsx_whose_figures_match(service, content, tmp_path,
                                                             capsys):
    out = tmp_path / "report.xlsx"
    assert main(["report", "--db", str(service.url), "-o", str(out)]) == 0
    book = load_workbook(out)
    assert dict(_sheet_rows(book["Stages"])[1:])["All clients"] == 25
    assert ("Apr 2026", 16, 8, 8) in _sheet_rows(book["Actions"])
    assert "Wrote the service report (all records)" in capsys.readouterr().out


def test_nextround_report_since_writes_a_csv(service, tmp_path):
    out = tmp_path / "report.csv"
    assert main(["report", "--db", str(service.url), "--since", "2026-05-01",
                 "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    actions = {(r["category"], r["measure"]): r["value"] for r in rows
               if r["figure"] == "Actions done against due"}
    assert actions == {("May 2026", "Actions due"): "9", ("May 2026", "Done"): FEWER_THAN,
                       ("May 2026", "Not done"): PROTECTING}


def test_nextround_report_on_an_empty_store_writes_a_report(store, tmp_path):
    out = tmp_path / "empty.xlsx"
    assert main(["report", "--db", str(store.url), "-o", str(out)]) == 0
    assert load_workbook(out).sheetnames[0] == "About"


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "report.pdf"], "nextround report: the report is written as .xlsx (Excel) or .csv"),
    (["-o", "r.csv", "--since", "15/04/2026"], "nextround report: --since takes a date as "
                                                "YYYY-MM-DD"),
    (["-o", "missing/r.xlsx"], "nextround report: cannot write "),
])
def test_nextround_report_refuses_bad_input_in_one_line(store, tmp_path, capsys, args,
                                                         message):
    args = [str(tmp_path / a) if a.startswith(("report.", "r.", "missing/")) else a
            for a in args]
    assert main(["report", "--db", str(store.url), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert not list(tmp_path.glob("r*.*"))


def test_charts_list_categories_top_down_and_mark_hidden_ones(service, content):
    report = build_report(service, content, today=TODAY)
    bars = report.figure("stages").chart.traces[0]
    assert bars.y[-1] == NOT_STARTED + "<br>(fewer than 5)"  # plotly draws the last on top
    assert bars.x[-1] is None
    assert (bars.y[-2], bars.x[-2]) == (LOG, 12)
    done, not_done, due = report.figure("actions").chart.traces
    assert (done.y, not_done.y, due.y) == ([8, None], [8, None], [None, 9])


def test_the_report_is_the_same_on_postgresql(store, postgres_url, content):
    """The report reads only through the store's API, so both databases give one report."""
    from nextround.store import Store

    add_service(store)
    with Store(postgres_url) as server_store:
        add_service(server_store)
        on_server = build_report(server_store, content, today=TODAY)
    on_file = build_report(store, content, today=TODAY)
    assert [f.rows for f in on_server.figures] == [f.rows for f in on_file.figures]
    assert on_server.figure("stages").cell(LOG, "Clients") == 12

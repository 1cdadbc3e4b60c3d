"""The factcheck dashboard (Streamlit): flagged claims by site, condition, intervention,
verdict and flag; verdicts over time; run history with data-quality status; a claim explorer
with its evidence and verdict history; editors' triage decisions.

It reads the published database read-only (a new connection on every interaction, so a
nightly publish is seen at the next click) and writes only editors' decisions, to
``triage.duckdb`` beside it (``factcheck.store.triage``). Start it with
``factcheck dashboard [--db PATH] [--port N]``; the database is taken from ``--db`` after
``--`` on Streamlit's command line or from ``FACTCHECK_DB``. Text from articles and records
is shown as plain text, in tables, or escaped before it reaches Markdown.
"""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

from factcheck.settings import DEFAULT_DB, get_settings



def database_path(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    if "--db" in argv and argv.index("--db") + 1 < len(argv):
        return Path(argv[argv.index("--db") + 1])
    return Path(get_settings().db or DEFAULT_DB)


def main() -> None:
    import streamlit as st

    from factcheck.dashboard import queries
    from factcheck.evidence.verdict import LABELS
    from factcheck.report.build import md_text
    import duckdb

    from factcheck.store.db import StoreError, connect
    from factcheck.store.reference import attached, empty_reference
    from factcheck.store.triage import (STATUSES, TriageError, decision_for, history, load_decisions,
                                        record_decision, triage_path)

    st.set_page_config(page_title="factcheck dashboard", layout="wide")
    db = database_path()
    st.title("factcheck")
    if not db.exists():
        st.error(f"No published database at {db}: run `factcheck demo` or `factcheck run`, or pass --db.")
        st.stop()
    st.caption(f"Published database {db} (read-only) · editors' decisions in {triage_path(db)}")
    try:
        con = connect(db, read_only=True)    # the reference file attached too
        con.execute("SELECT count(*) FROM current_claims").fetchone()
    except (StoreError, duckdb.Error) as exc:
        st.error(f"{db} cannot be read as a factcheck database ({type(exc).__name__}: "
                 f"{str(exc).splitlines()[0][:300]}). Point --db at the factcheck.duckdb a run "
                 "published (`factcheck demo` or `factcheck run` make one).")
        st.stop()
    if attached(con) == empty_reference():
        st.warning("The PubMed reference file (reference.duckdb beside the database, or "
                   "FACTCHECK_REFERENCE_DB) was not found: the records behind each verdict "
                   "cannot be shown, though the explanations name them.")
    decisions = load_decisions(triage_path(db))
    flagged_tab, time_tab, runs_tab, explore_tab, triage_tab = st.tabs(
        ["Flagged claims", "Verdicts over time", "Runs", "Claim explorer", "Triage decisions"])
    with closing(con):
        with flagged_tab:
            dimension = st.radio("Count flagged claims by", list(queries.DIMENSIONS), horizontal=True,
                                 key="dimension")
            counts = queries.flagged_by(con, dimension)
            if counts.empty:
                st.info("No flagged claims.")
            else:
                st.bar_chart(counts.head(25), x=dimension, y="flagged_claims")
                st.dataframe(counts, hide_index=True, width="stretch", key="flagged_counts")
        with time_tab:
            over_time = queries.verdicts_over_time(con)
            if over_time.empty:
                st.info("No published run has judged a claim yet.")
            else:
                wide = over_time.pivot_table(index="started_at", columns="label", values="claims",
                                             aggfunc="sum", fill_value=0)
                st.line_chart(wide)
                st.dataframe(over_time, hide_index=True, width="stretch", key="over_time")
        with runs_tab:
            runs = queries.run_history(con)
            st.dataframe(runs, hide_index=True, width="stretch", key="runs")
        with explore_tab:
            left, middle, right = st.columns(3)
            site = left.selectbox("Site", [""] + queries.sites(con), key="site")
            verdict = middle.selectbox("Verdict", [""] + list(LABELS), key="verdict")
            flagged_only = right.checkbox("Flagged only", value=True, key="flagged_only")
            open_only = right.checkbox("Open flags only (no editor's decision in force)",
                                       value=False, key="open_only")
            search = st.text_input("Sentence contains", key="search")
            found = queries.claims(con, site=site or None, verdict=verdict or None,
                                   flagged_only=flagged_only, search=search or None,
                                   decisions=decisions, open_only=open_only)
            st.dataframe(found.drop(columns=["article_id"]), hide_index=True, width="stretch", key="claims")
            if not found.empty:
                labels = {r.claim_id: f"{r.sentence[:110]} [{r.verdict}]" for r in found.itertuples()}
                claim_id = st.selectbox("Claim", list(labels), format_func=labels.get, key="claim")
                detail = queries.claim_detail(con, claim_id)
                if detail:
                    st.subheader("Claim")
                    st.text(detail["sentence"])
                    st.markdown(md_text(f"Verdict: {(detail['label'] or 'not judged').replace('_', ' ')}"
                                        f" · confidence {detail['confidence'] or 0:.2f} · "
                                        f"{detail['article_title'] or ''} · {detail['site'] or ''}"))
                    for flag, reason in zip(detail["flags"] or [], detail["flag_reasons"] or []):
                        st.warning(md_text(f"{flag.replace('_', ' ')}: {reason}"), icon=None)
                    st.text(detail["explanation"] or "")
                    st.dataframe(detail["evidence"], hide_index=True, width="stretch", key="evidence",
                                 column_config={"url": st.column_config.LinkColumn("PubMed")})
                    st.caption("Verdict history")
                    st.dataframe(detail["history"], hide_index=True, width="stretch", key="history")
                    # the form belongs to this claim: its fields are keyed by the claim, so what
                    # was typed for one claim never carries over to the next one chosen, and it
                    # starts from the decision in force for this claim
                    current = decision_for(decisions, detail["article_id"], detail["sentence"],
                                           detail["flags"] or [])
                    if current is not None:
                        st.info(md_text(f"Decision in force: {current.status}"
                                        + (f" by {current.editor}" if current.editor else "")
                                        + (f", {current.decided_at:%Y-%m-%d}" if current.decided_at else "")
                                        + (f": {current.note}" if current.note else "")), icon=None)
                    with st.form(f"triage_{claim_id}"):
                        status = st.radio("Editor's decision", STATUSES, horizontal=True,
                                          index=STATUSES.index(current.status) if current else 0,
                                          key=f"triage_status_{claim_id}")
                        note = st.text_area("Note", value=current.note or "" if current else "",
                                            key=f"triage_note_{claim_id}")
                        editor = st.text_input("Editor", value=current.editor or "" if current else "",
                                               key=f"triage_editor_{claim_id}")
                        if st.form_submit_button("Record decision"):
                            try:
                                decision = record_decision(db, claim_id, status, note=note, editor=editor)
                            except TriageError as exc:
                                st.error(str(exc))
                            else:
                                st.success(f"Recorded: {decision.status}")
                                if not decision.flags:
                                    st.warning("This claim has no flag: the report shows decisions "
                                               "on flagged claims only, and a flag it gains later "
                                               "opens it again.")
        with triage_tab:
            try:
                decisions = history(triage_path(db))
            except TriageError as exc:
                st.error(str(exc))
                decisions = []
            if decisions:
                st.dataframe(decisions, hide_index=True, width="stretch", key="decisions")
            else:
                st.info("No decisions recorded yet: choose a claim in the claim explorer.")


if __name__ == "__main__":
    main()

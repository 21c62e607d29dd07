"""Exporting a learning report as Markdown, HTML or PDF (issue 5, item 6). Built in a Celery
worker (`tasks.build_export`); the bytes are kept on the ReportExport row.

All three formats are drawn from one outline (`outline`): the report's title and period, then
each section's heading, its assembled evidence as blocks (headings, paragraphs, lists) and the
co-authored narrative, then the receiver's own account where there is one. Every format goes
through the project's one sanitiser, hls.markdown: HTML escapes everything and renders narratives
with its Markdown + nh3 filter; Markdown escapes plain text and strips raw HTML and unsafe links
from narratives; the PDF embeds DejaVu Sans (static/vendor/fonts/, `make vendor`) so any
language and typographic quotes print.
"""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hls.markdown import escape_text, to_safe_markdown
from hls.tenancy.context import tenant_scope
from stewardship.models import LearningReport, ReportExport, ReportSection

logger = logging.getLogger(__name__)

ATTRIBUTION = "Learning report — HLS Learning Cycles"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "fonts"
CONTENT_TYPES = {
    ReportExport.Format.HTML: "text/html; charset=utf-8",
    ReportExport.Format.PDF: "application/pdf",
    ReportExport.Format.MARKDOWN: "text/markdown; charset=utf-8",
}


# The outline shared by every format ----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "h3" | "p" | "ul"
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass
class OutlineSection:
    key: str
    heading: str
    evidence: list[Block] = field(default_factory=list)
    narrative: str = ""  # Markdown, as co-authored


@dataclass
class Outline:
    title: str
    period: str
    status: str
    sections: list[OutlineSection]
    receiver_account: str


def format_date(value: str | _dt.date | None) -> str:
    if not value:
        return ""
    day = _dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def period_label(report: LearningReport) -> str:
    return f"{format_date(report.period_start)} to {format_date(report.period_end)}"


def _purpose_blocks(content: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    for cycle in content.get("purpose", []):
        blocks.append(Block("h3", cycle["cycle"]))
        blocks.append(Block("p", f"Purpose: {cycle['purpose']}"))
        if cycle["learning_questions"]:
            blocks.append(Block("p", "Learning questions:"))
            blocks.append(Block("ul", items=tuple(cycle["learning_questions"])))
    for charter in content.get("principles", []):
        blocks.append(Block("h3", f"{charter['cycle']}: {charter['title']}"))
        if charter["preamble"]:
            blocks.append(Block("p", charter["preamble"]))
        principles = [
            f"{p['title']} — {p['description']}" if p["description"] else p["title"]
            for p in charter["principles"]
        ]
        if principles:
            blocks.append(Block("ul", items=tuple(principles)))
        signed = [
            f"{s['organisation']} (signed by {s['name']}, {format_date(s['on'])})"
            for s in charter["signed_by"]
        ]
        if signed:
            blocks.append(Block("p", "Signed by:"))
            blocks.append(Block("ul", items=tuple(signed)))
        else:
            blocks.append(Block("p", "No member organisation has signed this version yet."))
    if not blocks:
        blocks.append(Block("p", "No cycle's purpose was assembled."))
    return blocks


def theme_count_label(theme: dict[str, Any]) -> str:
    if theme["count"] is None:
        return f"fewer than {theme['fewer_than']} entries"
    return f"{theme['count']} entr{'y' if theme['count'] == 1 else 'ies'}"


def _learnt_blocks(content: dict[str, Any]) -> list[Block]:
    learnt = content.get("learnt") or {}
    themes = learnt.get("themes", [])
    if not themes:
        return [Block("p", "No themes were shared upward in these cycles in this period.")]
    blocks = [
        Block(
            "p",
            "Themes in the entries shared upward in this period. Counts under "
            f"{learnt.get('threshold', 3)} show as “fewer than {learnt.get('threshold', 3)}”; "
            "stories are anonymised.",
        )
    ]
    for theme in themes:
        blocks.append(Block("h3", f"{theme['name']} ({theme_count_label(theme)})"))
        if theme["stories"]:
            blocks.append(Block("ul", items=tuple(f"“{s['excerpt']}”" for s in theme["stories"])))
    return blocks


def experiment_state_label(experiment: dict[str, Any]) -> str:
    if experiment["outcome_label"]:
        return f"{experiment['status_label']}: {experiment['outcome_label']}"
    return str(experiment["status_label"])


def _experiment_blocks(content: dict[str, Any]) -> list[Block]:
    experiments = content.get("experiments", [])
    if not experiments:
        return [Block("p", "No experiment ran in these cycles in this period.")]
    blocks: list[Block] = []
    for e in experiments:
        blocks.append(Block("h3", f"{e['title']} ({e['cycle']})"))
        blocks.append(Block("p", experiment_state_label(e)))
        blocks.append(Block("p", f"What we tried: {e['what_we_tried']}"))
        if e["learnt"]:
            blocks.append(Block("p", f"What we learnt: {e['learnt']}"))
    return blocks


def _measure_blocks(content: dict[str, Any]) -> list[Block]:
    """Each measure with its question, its signal in words and the cycle's note, its values
    only where it is shared with the whole workspace; the people's own terms beside them, each
    rating on the person's own scale, never combined."""
    found = content.get("measures") or {}
    measures, own_terms = found.get("measures", []), found.get("own_terms", [])
    if not measures and not own_terms:
        return [Block("p", "No measure or own terms of these cycles travel this far.")]
    blocks: list[Block] = []
    for m in measures:
        blocks.append(Block("h3", f"{m['name']} ({m['cycle']})"))
        blocks.append(Block("p", f"What it is for: {m['question']}"))
        blocks.append(
            Block("p", "Signals: " + "; ".join(m["signals"]) + ".")
            if m["signals"]
            else Block("p", "No signal: the variation looks random.")
        )
        if m["note"]:
            blocks.append(Block("p", f"What the cycle makes of it: {m['note']}"))
        if m["values"]:
            unit = f" {m['unit']}" if m["unit"] else ""
            blocks.append(
                Block(
                    "ul",
                    items=tuple(f"{format_date(v['on'])}: {v['value']}{unit}" for v in m["values"]),
                )
            )
    for item in own_terms:
        blocks.append(
            Block("h3", f"What matters, in their words: {item['words']} ({item['cycle']})")
        )
        blocks.append(Block("p", f"On their own scale: {item['scale']}."))
        if item["ratings"]:
            blocks.append(
                Block(
                    "ul",
                    items=tuple(f"{format_date(r['on'])}: {r['value']}" for r in item["ratings"]),
                )
            )
    return blocks


def _barrier_blocks(content: dict[str, Any]) -> list[Block]:
    barriers = content.get("barriers", [])
    if not barriers:
        return [Block("p", "No barrier was raised in this period.")]
    blocks: list[Block] = []
    for b in barriers:
        blocks.append(
            Block(
                "h3",
                f"From {b['from_cycle']} to {b['to_cycle']}, raised {format_date(b['raised_on'])}"
                f" ({b['state_label']})",
            )
        )
        blocks.append(
            Block("p", b["text"] or "Its text is not shared beyond the cycle that raised it.")
        )
        answers = [
            f"{format_date(a['on'])}, {a['state_label']}" + (f": {a['text']}" if a["text"] else "")
            for a in b["answers"]
        ]
        blocks.append(
            Block("ul", items=tuple(answers)) if answers else Block("p", "No answer yet.")
        )
    return blocks


def _inclusion_blocks(content: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    for cycle in content.get("inclusion", []):
        blocks.append(Block("h3", cycle["cycle"]))
        for group in cycle["groups"]:
            if group["who"]:
                blocks.append(Block("p", f"{group['label']}:"))
                blocks.append(
                    Block("ul", items=tuple(f"{w['name']} ({w['kind']})" for w in group["who"]))
                )
            else:
                blocks.append(Block("p", f"{group['label']}: nobody recorded."))
        if cycle["not_yet_included"]:
            blocks.append(Block("p", "Not yet included:"))
            blocks.append(Block("ul", items=tuple(cycle["not_yet_included"])))
    return blocks


def _session_blocks(content: dict[str, Any]) -> list[Block]:
    sessions = content.get("sessions") or {}
    held = sessions.get("held", [])
    if not held:
        return [Block("p", "No sense-making session was held for these cycles in this period.")]
    blocks = [Block("p", f"Sense-making sessions held: {sessions['count']}.")]
    if sessions.get("outputs"):
        blocks.append(Block("p", "What they produced:"))
        blocks.append(
            Block("ul", items=tuple(f"{o['label']}: {o['count']}" for o in sessions["outputs"]))
        )
    blocks.append(
        Block(
            "ul",
            items=tuple(
                f"{format_date(s['on'])}, {s['session']}"
                + (
                    ": " + ", ".join(f"{o['label']} {o['count']}" for o in s["outputs"])
                    if s["outputs"]
                    else ""
                )
                for s in held
            ),
        )
    )
    return blocks


EVIDENCE = {
    "purpose": _purpose_blocks,
    "learnt": _learnt_blocks,
    "experiments": _experiment_blocks,
    "measures": _measure_blocks,
    "barriers": _barrier_blocks,
    "inclusion": _inclusion_blocks,
    "sessions": _session_blocks,
}


def evidence_blocks(key: str, content: dict[str, Any]) -> list[Block]:
    make = EVIDENCE.get(key)
    return make(content) if make is not None else []


def outline(report: LearningReport, sections: list[ReportSection]) -> Outline:
    content = report.content or {}
    return Outline(
        title=report.title,
        period=period_label(report),
        status=str(report.get_status_display()),
        sections=[
            OutlineSection(
                key=s.key,
                heading=s.heading,
                evidence=evidence_blocks(s.key, content),
                narrative=s.body,
            )
            for s in sections
        ],
        receiver_account=report.receiver_account,
    )


# Markdown ------------------------------------------------------------------------------------


def _md_line(text: str) -> str:
    """One line of evidence or a title as Markdown showing exactly that text: its own line
    breaks folded (so a list stays a list), raw HTML and Markdown's own characters escaped."""
    return escape_text(text)


def _md_narrative(text: str) -> str:
    """A co-authored narrative stays Markdown, made safe to open (hls.markdown)."""
    return to_safe_markdown(text.strip())


def render_markdown(doc: Outline) -> str:
    """Every field goes through the project's one sanitiser (hls.markdown): plain text is
    escaped, narratives lose raw HTML and unsafe links, so the file is safe in any viewer."""
    lines = [f"# {_md_line(doc.title)}", "", _md_line(f"{doc.period} · {doc.status}"), ""]
    for section in doc.sections:
        lines += [f"## {_md_line(section.heading)}", ""]
        for block in section.evidence:
            if block.kind == "h3":
                lines += [f"### {_md_line(block.text)}", ""]
            elif block.kind == "ul":
                lines += [f"- {_md_line(item)}" for item in block.items] + [""]
            else:
                lines += [_md_line(block.text), ""]
        if section.narrative.strip():
            lines += ["### Our account", "", _md_narrative(section.narrative), ""]
    if doc.receiver_account.strip():
        lines += ["## The receiver's own account", "", _md_narrative(doc.receiver_account), ""]
    lines += ["---", "", ATTRIBUTION, ""]
    return "\n".join(lines)


# HTML ----------------------------------------------------------------------------------------


def render_html(doc: Outline) -> str:
    """A standalone, printable document. The template autoescapes; narratives go through the
    project's Markdown + nh3 filter."""
    return render_to_string(
        "stewardship/reports/export.html", {"doc": doc, "attribution": ATTRIBUTION}
    )


# PDF -----------------------------------------------------------------------------------------


class _ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 10, f"{ATTRIBUTION} · page {self.page_no()} of {{nb}}", align="C")


def render_pdf(doc: Outline) -> bytes:
    pdf = _ReportPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(doc.title)
    pdf.set_creator("HLS Learning Cycles")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def text(value: str, size: float = 10.5, bold: bool = False, gap: float = 2) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    text(doc.title, size=20, bold=True)
    text(f"{doc.period} · {doc.status}", size=11, gap=6)
    for section in doc.sections:
        text(section.heading, size=15, bold=True, gap=3)
        for block in section.evidence:
            if block.kind == "h3":
                text(block.text, size=11.5, bold=True, gap=1)
            elif block.kind == "ul":
                for item in block.items:
                    pdf.set_x(pdf.l_margin + 4)
                    pdf.set_font("DejaVu", "", 10.5)
                    pdf.multi_cell(0, 5.25, f"•  {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(2)
            else:
                text(block.text)
        if section.narrative.strip():
            text("Our account", size=11.5, bold=True, gap=1)
            text(section.narrative.strip())
        pdf.ln(4)
    if doc.receiver_account.strip():
        text("The receiver's own account", size=15, bold=True, gap=3)
        text(doc.receiver_account.strip())
    return bytes(pdf.output())


RENDERERS = {
    ReportExport.Format.MARKDOWN: lambda doc: render_markdown(doc).encode(),
    ReportExport.Format.HTML: lambda doc: render_html(doc).encode(),
    ReportExport.Format.PDF: render_pdf,
}


def filename(report: LearningReport, export_format: str) -> str:
    name = slugify(report.title)[:80] or "learning-report"
    return f"{name}-{report.period_end.isoformat()}.{export_format}"


def build(*, workspace_id: int, export_id: int) -> bool:
    """Build one export, in steps each committed (the export's page polls its progress).
    Idempotent: a ready export is left as it is; a failed one is marked failed."""
    with tenant_scope(workspace_id=workspace_id):
        export = (
            ReportExport.objects.select_for_update()
            .filter(workspace_id=workspace_id, pk=export_id)
            .first()
        )
        if export is None or export.state == ReportExport.State.READY:
            return False
        export.state, export.progress = ReportExport.State.RUNNING, 10
        export.save(update_fields=["state", "progress"])
    try:
        with tenant_scope(workspace_id=workspace_id):
            export = ReportExport.objects.select_related("report").get(pk=export_id)
            report = export.report
            doc = outline(report, list(report.sections.order_by("position", "pk")))
            ReportExport.objects.filter(pk=export_id).update(progress=40)
        data = RENDERERS[ReportExport.Format(export.format)](doc)
        with tenant_scope(workspace_id=workspace_id):
            ReportExport.objects.filter(pk=export_id).update(
                content=data,
                state=ReportExport.State.READY,
                progress=100,
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("building report export %s failed", export_id)
        with tenant_scope(workspace_id=workspace_id):
            ReportExport.objects.filter(pk=export_id).update(state=ReportExport.State.FAILED)
        return False
    return True

"""The reviewed draft of an imported report, kept in the officer's session until accepted.

A draft is plain JSON data: nothing in the database changes while the officer edits it. These
functions make the review screen's edits (merge, split, drop, add) and renumber references.
"""

import re

from actions.inspection_import.source import guess_kind, report_hash

SESSION_KEY = "report_import_draft"


def draft_from_parsed(parsed, *, text, source_name, force=None):
    """The draft of a parsed report. A text whose findings were not recognised keeps the text
    and the reason, so the officer can add its findings by hand beside it."""
    data = parsed.as_dict()
    title = data["inspection"]["title"] or ""
    return {
        "source_name": source_name,
        "sha256": report_hash(text),
        "reason": parsed.reason,
        "text": "" if parsed.recognised else text,
        "inspection": {
            "title": title,
            "force_name": data["inspection"]["force"] or "",
            "force_id": force.pk if force else None,
            "kind": guess_kind(title),
            "source_type": parsed.source_type,
            "published": data["inspection"]["published"],
        },
        "graded_areas": data["graded_areas"],
        "findings": [dict(finding, repeats=[]) for finding in data["findings"]],
    }


def merge(draft, indexes):
    """Join the selected findings into the first of them; links to the others move to it."""
    findings = draft["findings"]
    keep, *others = sorted(indexes)
    gone = {findings[i]["reference"] for i in others}
    findings[keep]["text"] = " ".join(findings[i]["text"].strip() for i in [keep, *others])
    findings[keep]["repeats"] = sorted(
        {pk for i in [keep, *others] for pk in findings[i].get("repeats", [])}
    )
    for finding in findings:
        if finding.get("parent") in gone:
            finding["parent"] = findings[keep]["reference"]
    _remove(draft, others)


def drop(draft, indexes):
    _remove(draft, indexes)


def _remove(draft, indexes):
    findings = draft["findings"]
    gone = {findings[i]["reference"] for i in indexes}
    draft["findings"] = [f for i, f in enumerate(findings) if i not in set(indexes)]
    for finding in draft["findings"]:
        if finding.get("parent") in gone:
            finding["parent"] = None


def split(draft, index):
    """Split a finding at its blank lines: each paragraph becomes a finding of the same kind.

    Returns how many findings it became (1 when the text has no blank line to split at).
    """
    finding = draft["findings"][index]
    parts = [" ".join(part.split()) for part in re.split(r"\n\s*\n", finding["text"])]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        return 1
    copies = [
        dict(finding, text=part, reference=_unused_reference(draft, finding["reference"], n))
        for n, part in enumerate(parts[1:], start=2)
    ]
    finding["text"] = parts[0]
    draft["findings"][index + 1 : index + 1] = copies
    return len(parts)


def add(draft):
    draft["findings"].append(
        {
            "kind": "afi",
            "reference": _unused_reference(draft, "New finding", 1),
            "area": None,
            "parent": None,
            "text": "",
            "repeats": [],
        }
    )


def add_area(draft):
    draft["graded_areas"].append({"name": "", "grade": "ungraded"})


def _unused_reference(draft, base, n):
    used = {finding["reference"] for finding in draft["findings"]}
    while (reference := f"{base} ({n})" if base != "New finding" else f"{base} {n}") in used:
        n += 1
    return reference

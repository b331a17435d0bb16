"""What the report parser returns: plain dataclasses, with no database behind them."""

import datetime
from dataclasses import asdict, dataclass, field


@dataclass
class InspectionInfo:
    title: str | None = None
    force: str | None = None
    published: datetime.date | None = None


@dataclass
class GradedArea:
    name: str
    grade: str


@dataclass
class Finding:
    kind: str
    reference: str
    area: str | None
    parent: str | None
    text: str


@dataclass
class ParsedReport:
    """What the text holds. `source_type` is one of Inspection.SourceType's values ("hmicfrs",
    "iopc", "coroner", "other"); `reason` says, when no findings were found, why and what the
    officer can do (add them by hand). Neither is in as_dict(), whose shape is documented."""

    inspection: InspectionInfo = field(default_factory=InspectionInfo)
    graded_areas: list[GradedArea] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    source_type: str = "other"
    reason: str | None = None

    @property
    def recognised(self) -> bool:
        return bool(self.findings)

    def as_dict(self) -> dict:
        published = self.inspection.published
        return {
            "inspection": asdict(self.inspection)
            | {"published": published and published.isoformat()},
            "graded_areas": [asdict(area) for area in self.graded_areas],
            "findings": [asdict(finding) for finding in self.findings],
        }

"""The direction of travel between two grades (across PEEL 2021/22's change from four to five
grades), and the areas PEEL renamed between rounds."""

import datetime
from dataclasses import dataclass

# HMICFRS graded forces on four tiers (Outstanding, Good, Requires improvement, Inadequate)
# until PEEL 2021/22, the first round on five (Adequate added between Good and Requires
# improvement). The model does not record an inspection's round or scale, so the date decides:
# the last four-tier PEEL reports (2018/19) were published by early 2020, PEEL paused in 2020,
# and the first PEEL 2021/22 reports came out from about September 2021. Any day in that gap
# would do; 1 April 2021, the start of the 2021/22 inspection year, is the one we use. See
# docs/sources.md.
FIVE_TIER_FROM = datetime.date(2021, 4, 1)
FIVE_TIER_ROUND = "PEEL 2021/22"

# Higher is better.
RANK = {
    "outstanding": 5,
    "good": 4,
    "adequate": 3,
    "requires_improvement": 2,
    "inadequate": 1,
}
LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "adequate": "Adequate",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
# What each four-tier grade covers on the five-tier scale. The ends kept their meaning; Adequate
# was carved out of the middle, so a four-tier Good is now Good or Adequate and a four-tier
# Requires improvement is now Adequate or Requires improvement. Four-tier Adequate never existed.
FOUR_TIER_COVERS = {
    "outstanding": ("outstanding",),
    "good": ("good", "adequate"),
    "requires_improvement": ("adequate", "requires_improvement"),
    "inadequate": ("inadequate",),
}

# PEEL 2023-25's area names -> the PEEL 2021/22 areas they follow. Any other name follows the
# area of the same name.
PEEL_PREDECESSORS = {
    "Preventing crime": "Preventing crime and anti-social behaviour",
    "Police powers and public treatment": "Treatment of the public",
    "Managing offenders": "Managing offenders and suspects",
    "Developing a positive workplace": "Building, supporting and protecting the workforce",
    "Leadership and force management": (
        "Strategic planning, organisational management and value for money"
    ),
}

TREND_LABELS = {"improved": "Improved", "declined": "Declined", "same": "No change"}


def predecessor_name(name):
    """The name of the area an area of this name follows in the previous PEEL round."""
    return PEEL_PREDECESSORS.get(name.strip(), name.strip())


def four_tier(published_on):
    """Whether an inspection published on this day was graded on the four-tier scale."""
    return published_on is not None and published_on < FIVE_TIER_FROM


@dataclass(frozen=True)
class Direction:
    """'improved', 'declined' or 'same'; or no trend, with the reason it is not comparable."""

    trend: str | None
    reason: str = ""

    @property
    def label(self):
        if self.trend:
            return TREND_LABELS[self.trend]
        if self.reason == NO_EARLIER:
            return "No earlier inspection on record"
        return f"Not comparable: {self.reason}" if self.reason else "Not comparable"


# The reason when the inspection follows none on record: nothing to compare, rather than a
# comparison that cannot be made.
NO_EARLIER = "no earlier inspection on record"


def _four_tier_reason(grade, *, then):
    """Why a four-tier grade does not compare with a five-tier one: what it covered."""
    when = "then" if then else "now"
    if grade not in FOUR_TIER_COVERS:
        return (
            f"graded on the four-tier scale {when} (before {FIVE_TIER_ROUND}), "
            f"which had no {LABELS[grade]}"
        )
    covers = " or ".join(LABELS[g] for g in FOUR_TIER_COVERS[grade])
    return (
        f"graded {LABELS[grade]} {when} on the four-tier scale (before {FIVE_TIER_ROUND}), "
        f"where {LABELS[grade]} covers what is now {covers}"
    )


def _ranks(grade, *, four_tier_grade):
    """The five-tier ranks a grade may stand for: one, or a four-tier grade's range."""
    if not four_tier_grade:
        return {RANK[grade]}
    return {RANK[g] for g in FOUR_TIER_COVERS.get(grade, ())}


def direction_of_travel(grade, previous_grade, *, four_tier_then=False, four_tier_now=False):
    """The one rule for an area's direction of travel since its predecessor's grade.

    On the same scale, the ranks compare. Across the PEEL 2021/22 change of scale, a four-tier
    grade stands for the five-tier grades it covers (FOUR_TIER_COVERS), and the direction is
    given only where every reading agrees: Outstanding then and Outstanding now is no change,
    Good then and Requires improvement now a decline; but Good then (now Good or Adequate) and
    Good now could be no change or an improvement, so it is not comparable, with the reason."""
    if grade not in RANK:
        return Direction(None, "not graded in this inspection")
    if previous_grade not in RANK:
        return Direction(None, "not graded in the previous inspection")
    if four_tier_then == four_tier_now:
        now, before = {RANK[grade]}, {RANK[previous_grade]}
    else:
        now = _ranks(grade, four_tier_grade=four_tier_now)
        before = _ranks(previous_grade, four_tier_grade=four_tier_then)
    if now and before and min(now) > max(before):
        return Direction("improved")
    if now and before and max(now) < min(before):
        return Direction("declined")
    if now == before and len(now) == 1:
        return Direction("same")
    if four_tier_then:
        return Direction(None, _four_tier_reason(previous_grade, then=True))
    return Direction(None, _four_tier_reason(grade, then=False))


def compared_with_previous(areas, previous_areas, *, published_on, previous_published_on):
    """Each area beside the one it follows in the previous inspection (or None) and the
    direction of travel between their grades: what the inspection page and the pack show."""
    four_tier_now, four_tier_then = four_tier(published_on), four_tier(previous_published_on)
    rows = []
    for area in areas:
        previous = area.predecessor_among(previous_areas)
        if not previous_areas:
            direction = Direction(None, NO_EARLIER)
        else:
            direction = direction_of_travel(
                area.grade,
                previous.grade if previous else None,
                four_tier_then=four_tier_then,
                four_tier_now=four_tier_now,
            )
        rows.append({"area": area, "previous_area": previous, "direction": direction})
    return rows

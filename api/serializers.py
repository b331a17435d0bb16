"""What the API returns for each object: plain fields, codes with their labels, ids for links."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Action, Finding, GradedArea, Inspection, Rag
from reports import selectors as report_selectors
from reports.models import BriefingPack, Meeting
from tracker.models import User


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")

    class Meta:
        model = User
        fields = ["id", "name", "role_title"]


class InspectionSerializer(serializers.ModelSerializer):
    force_name = serializers.CharField(source="force.name")
    kind_label = serializers.CharField(source="get_kind_display")
    source_type_label = serializers.CharField(source="get_source_type_display")
    response_due = serializers.DateField(
        allow_null=True, help_text="Last day of the s.55 56-day response period."
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "force",
            "force_name",
            "title",
            "kind",
            "kind_label",
            "source_type",
            "source_type_label",
            "published_on",
            "fieldwork_start",
            "fieldwork_end",
            "link",
            "previous",
            "response_due",
            "response_published_on",
            "revisit_on",
        ]


class GradedAreaSerializer(serializers.ModelSerializer):
    grade_label = serializers.CharField(source="get_grade_display")

    class Meta:
        model = GradedArea
        fields = ["id", "inspection", "name", "grade", "grade_label", "position"]


class FindingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    external_status_label = serializers.CharField(source="get_external_status_display")
    repeats = serializers.SerializerMethodField(help_text="Earlier findings this one repeats.")

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "area",
            "kind",
            "kind_label",
            "reference",
            "text",
            "public_text",
            "parent",
            "repeats",
            "due_on",
            "external_status",
            "external_status_label",
            "external_status_on",
            "external_status_note",
            "no_action_reason",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_repeats(self, finding):
        return [earlier.pk for earlier in finding.visible_repeats]


class CollaborationSerializer(serializers.Serializer):
    managed_by = serializers.CharField(help_text="The office that manages the action.")
    shared_with = serializers.ListField(
        child=serializers.CharField(), help_text="The partner forces' names, A to Z."
    )


class ActionSerializer(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="finding.inspection_id")
    reference = serializers.CharField(source="finding.reference")
    owner = PersonSerializer(allow_null=True)
    delegate = PersonSerializer(allow_null=True)
    opcc_lead = PersonSerializer(allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    effective_rag = serializers.ChoiceField(
        source="effective_rag_db",
        choices=Rag.choices,
        help_text="Red whenever the action is overdue; otherwise the RAG last set.",
    )
    is_overdue = serializers.BooleanField()
    has_slipped = serializers.BooleanField(help_text="The deadline has moved past the original.")
    collaboration = CollaborationSerializer(
        allow_null=True,
        read_only=True,
        help_text="Null unless the action is shared with partner forces (a collaboration).",
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "finding",
            "inspection",
            "reference",
            "title",
            "description",
            "owner",
            "owner_role_title",
            "delegate",
            "opcc_lead",
            "deadline",
            "original_deadline",
            "has_slipped",
            "status",
            "status_label",
            "rag",
            "effective_rag",
            "is_overdue",
            "percent_complete",
            "closure_summary",
            "sustain_until",
            "closed_at",
            "last_update_at",
            "created_at",
            "collaboration",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    inspections = serializers.SerializerMethodField(
        help_text="The inspections on the agenda that you may see."
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "location",
            "webcast_url",
            "inspections",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_inspections(self, meeting):
        return [inspection.pk for inspection in meeting.visible_inspections]


LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


class PackMeetingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Meeting
        fields = ["id", "kind", "kind_label", "title", "starts_at"]


class PackSerializer(serializers.ModelSerializer):
    """A published briefing pack: when and for which meeting, and where the public can read it."""

    meeting = PackMeetingSerializer()
    public_url = serializers.SerializerMethodField(
        help_text="The address anyone can read it at, if it is public."
    )

    class Meta:
        model = BriefingPack
        fields = [
            "id",
            "meeting",
            "version",
            "generated_at",
            "published_at",
            "is_public",
            "public_url",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_public_url(self, pack):
        if not pack.is_public:
            return None
        return self.context["request"].build_absolute_uri(pack.get_public_url())


class PackDetailSerializer(PackSerializer):
    """The pack's frozen figures, Panel summary and action rows. Owners' names only to OPCC
    staff; everyone else gets role titles and findings' public wording, as on the pages."""

    overall_summary = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(PackSerializer.Meta):
        fields = [*PackSerializer.Meta.fields, "overall_summary", "totals", "areas", "actions"]

    def _view(self, pack):
        if not hasattr(pack, "_api_view"):
            audience = report_selectors.audience_for(self.context["request"].user)
            pack._api_view = report_selectors.pack_view(pack, audience=audience)
        return pack._api_view

    def get_overall_summary(self, pack) -> str:
        return self._view(pack)["overall"]

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_totals(self, pack):
        return self._view(pack)["totals"]

    @extend_schema_field(LIST_OF_OBJECTS)
    def get_areas(self, pack):
        return self._view(pack)["areas"]

    @extend_schema_field(LIST_OF_OBJECTS)
    def get_actions(self, pack):
        return self._view(pack)["actions"]

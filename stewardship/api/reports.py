"""Learning reports over the API, with the web's rules: every member reads them; those with
`reports.manage` start one (assembled by a worker) and publish it; those with
`reports.contribute` co-author a section's narrative (naming the version they started from, so
nobody's text is overwritten) and ask for exports, built by a worker and downloaded when ready.
A published report is read-only: a change to it is a 409."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, renderers, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.models import Cycle
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    etag_for,
)
from hls.api.fields import ScopedIdField
from hls.api.problems import Conflict
from hls.tenancy.permissions import can
from stewardship.models import LearningReport, ReportExport, ReportSection
from stewardship.reports import exports, selectors, services

# The API names the Markdown format in full; the model stores "md" (its file extension).
FORMATS = {"html": ReportExport.Format.HTML, "pdf": ReportExport.Format.PDF, "markdown": "md"}
FORMAT_NAMES = {value: name for name, value in FORMATS.items()}


def _report_cycles(view: Any) -> QuerySet[Cycle]:
    return selectors.cycles_for_report_picker(workspace=view.workspace)


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportSection
        fields = ("key", "heading", "position", "body", "version", "updated_by", "updated_at")
        read_only_fields = fields


class SectionUpdateSerializer(StrictSerializer):
    body = serializers.CharField(allow_blank=True, max_length=50_000, help_text="Markdown.")
    version = serializers.IntegerField(
        min_value=1, help_text="The section's version your text starts from."
    )


class ReportSerializer(StrictModelSerializer):
    cycles = ScopedIdField(
        Cycle,
        _report_cycles,
        many=True,
        allow_empty=True,
        help_text="Ids of the cycles it reports on (closed ones too).",
    )
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = LearningReport
        fields = (
            "id",
            "title",
            "period_start",
            "period_end",
            "cycles",
            "status",
            "assembly",
            "assembly_progress",
            "sections",
            "created_by",
            "created_at",
            "updated_at",
            "published_at",
            "published_by",
        )
        read_only_fields = (
            "id",
            "status",
            "assembly",
            "assembly_progress",
            "created_by",
            "created_at",
            "updated_at",
            "published_at",
            "published_by",
        )


class ExportRequestSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=sorted(FORMATS))


@extend_schema_field(
    # Wrapped in allOf so the schema's enum naming leaves it inline: "state" already names
    # another choice set (barriers') in several components.
    {"allOf": [{"type": "string", "enum": list(ReportExport.State.values)}]}
)
class ExportStateField(serializers.ChoiceField):
    pass


class ExportSerializer(serializers.ModelSerializer):
    format = serializers.SerializerMethodField()
    state = ExportStateField(choices=ReportExport.State.choices, read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ReportExport
        fields = (
            "id",
            "report",
            "format",
            "state",
            "progress",
            "created_at",
            "finished_at",
            "download",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=sorted(FORMATS)))
    def get_format(self, export: ReportExport) -> str:
        return FORMAT_NAMES[export.format]

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="Where to download it, once it is ready; null until then."
        )
    )
    def get_download(self, export: ReportExport) -> str | None:
        """Where to download it, once it is ready."""
        if export.state != ReportExport.State.READY:
            return None
        return f"/api/v1/reports/{export.report_id}/exports/{export.pk}/download/"


class DownloadRenderer(renderers.BaseRenderer):
    """Lets a download be asked for with any `Accept` (its own type, say); the file itself is
    an HttpResponse, and errors still come as JSON problems."""

    media_type = "*/*"
    format = "download"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Start a draft report: its default sections are made at once and its "
        "evidence is assembled by a worker. Follow `assembly` and `assembly_progress` (GET the "
        "report) until `ready`. Needs `reports.manage`."
    ),
)
class ReportViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Learning reports: accounts of learning for a period, co-authored."""

    family = "reports"
    resource = "reports"
    write_capability = "reports.contribute"  # and `reports.manage` to start or publish one
    serializer_class = ReportSerializer
    filterset_fields = ("status",)

    def scoped_queryset(self) -> QuerySet[LearningReport]:
        return selectors.reports_for_list(workspace=self.workspace).prefetch_related(
            Prefetch("sections", queryset=ReportSection.objects.order_by("position", "pk"))
        )

    def _require(self, capability: str) -> None:
        if not can(self.membership, capability):
            raise exceptions.PermissionDenied(_("Your role in this workspace does not allow this."))

    def _fresh(self, report: LearningReport) -> LearningReport:
        return self.get_queryset().get(pk=report.pk)

    def create_object(self, data: dict[str, Any]) -> LearningReport:
        self._require("reports.manage")
        report = services.report_create(
            workspace=self.workspace,
            created_by=self.user,
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            cycles=list(data["cycles"]),
        )
        return self._fresh(report)

    # Sections --------------------------------------------------------------------------------

    @extend_schema(
        request=SectionUpdateSerializer,
        responses={
            200: SectionSerializer,
            409: OpenApiResponse(
                description="Someone saved the section after `version` (read it again and "
                "merge), or the report is published."
            ),
        },
        description="Save a section's narrative, naming the version you started from. If "
        "someone saved it since, nothing is written and the answer is 409 with who and the "
        "current version, as on the web. Needs `reports.contribute`.",
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"sections/(?P<key>[a-z_]+)",
        filter_backends=[],
    )
    def section(self, request: Request, pk: str | None = None, key: str = "") -> Response:
        report = self.get_object()
        section = get_object_or_404(
            ReportSection.objects.select_related("report"),
            workspace=self.workspace,
            report=report,
            key=key,
        )
        serializer = SectionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved = services.section_update(
                workspace=self.workspace,
                section=section,
                body=serializer.validated_data["body"],
                version=serializer.validated_data["version"],
                user=self.user,
            )
        except services.ReportPublished as error:
            raise Conflict(str(services.PUBLISHED_MESSAGE)) from error
        except services.SectionConflict as conflict:
            theirs = conflict.current
            who = theirs.updated_by.display_name if theirs.updated_by else _("someone")
            raise Conflict(
                _(
                    "%(who)s saved this section since version %(mine)d: it is now version "
                    "%(now)d. Read it again, merge your text, and save from version %(now)d."
                )
                % {"who": who, "mine": serializer.validated_data["version"], "now": theirs.version}
            ) from conflict
        self.audit("section_update", report, section=key, version=saved.version)
        data = SectionSerializer(saved).data
        return Response(data, headers={"ETag": etag_for(data)})

    # Publishing ------------------------------------------------------------------------------

    @extend_schema(
        request=None,
        responses={200: ReportSerializer, 409: OpenApiResponse(description="Already published.")},
        description="Publish a draft whose evidence is assembled; it becomes read-only. Needs "
        "`reports.manage`.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        self._require("reports.manage")
        try:
            services.report_publish(workspace=self.workspace, report=report, user=self.user)
        except services.ReportPublished as error:
            raise Conflict(str(services.PUBLISHED_MESSAGE)) from error
        self.audit("publish", report)
        return Response(self.get_serializer(self._fresh(report)).data)

    # Exports ---------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=ExportSerializer(many=True),
        description="The report's latest exports (up to ten), newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=ExportRequestSerializer,
        responses={202: ExportSerializer},
        description="Ask for an export (HTML, PDF or Markdown) of an assembled report, drafts "
        "and published alike. A worker builds it: follow `state` and `progress` at the "
        "export's URL (the Location), then fetch `download`. Needs `reports.contribute`.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def exports(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        if request.method == "GET":
            found = selectors.exports_of(workspace=self.workspace, report=report)
            return Response(ExportSerializer(found, many=True).data)
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        export = services.export_create(
            workspace=self.workspace,
            report=report,
            export_format=FORMATS[serializer.validated_data["format"]],
            user=self.user,
        )
        self.audit("export", report, format=export.format)
        data = ExportSerializer(export).data
        return Response(
            data,
            status=202,
            headers={"Location": f"/api/v1/reports/{report.pk}/exports/{export.pk}/"},
        )

    def _export(self, report: LearningReport, export_id: str) -> ReportExport:
        return get_object_or_404(
            ReportExport.objects.defer("content"),
            workspace=self.workspace,
            report=report,
            pk=export_id,
        )

    @extend_schema(request=None, responses=ExportSerializer, description="An export's state.")
    @action(
        detail=True, methods=["get"], url_path=r"exports/(?P<export_id>\d+)", filter_backends=[]
    )
    def export(self, request: Request, pk: str | None = None, export_id: str = "") -> Response:
        return Response(ExportSerializer(self._export(self.get_object(), export_id)).data)

    @extend_schema(
        request=None,
        responses={
            (200, "text/html"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/markdown"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The export is not ready (yet, or it failed)."),
        },
        description="The export's file, as an attachment, once its state is `ready`.",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"exports/(?P<export_id>\d+)/download",
        filter_backends=[],
        renderer_classes=[DownloadRenderer],
    )
    def download(
        self, request: Request, pk: str | None = None, export_id: str = ""
    ) -> HttpResponse:
        report = self.get_object()
        export = self._export(report, export_id)
        if export.state != ReportExport.State.READY:
            raise Conflict(
                _("This export is not ready: its state is %(state)s.") % {"state": export.state}
            )
        services.export_downloaded(
            workspace=self.workspace, export=export, user=self.user, via=self.caller
        )
        content = ReportExport.objects.filter(pk=export.pk).values_list("content", flat=True).get()
        response = HttpResponse(
            bytes(content or b""),
            content_type=exports.CONTENT_TYPES[ReportExport.Format(export.format)],
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(report, export.format)}"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

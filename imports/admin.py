"""Back office of imports (X1, X4): the list of imports, the import flow in small pages
(upload -> preview and mapping -> the job page, which polls its status), the report, undo
and resume; and scheduled imports.

The add view is the upload; the change view is the job page: jobs are never edited by hand.
Every page needs the permissions to add and change profiles (an import does both); undo
also needs the permission to delete them. Writes go through `services`, `undo` and
`schedules`; the pages read `selectors`.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from config.exceptions import InvalidInput
from history.models import ImportSource
from profiles.admin import ServiceFormAdmin
from profiles.services import field_definitions

from . import columns, forms, schedules, selectors, services, tasks, undo
from .models import ImportJob, ScheduledImport, State
from .reading import FileProblem, Layout

IMPORT_PERMISSIONS = ("profiles.add_profile", "profiles.change_profile")
UNDO_PERMISSIONS = (*IMPORT_PERMISSIONS, "profiles.delete_profile")
FINISHED_STATES = (State.FINISHED, State.FAILED, State.UNDONE)
_JOBS = ImportJob.objects.select_related("database", "created_by", "subscribe_resource")


def can_import(request: HttpRequest) -> bool:
    return request.user.has_perms(IMPORT_PERMISSIONS)


def _require(request: HttpRequest, permissions: tuple[str, ...]) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _messages_of(error: InvalidInput) -> str:
    return " ".join(str(text) for texts in error.errors.values() for text in texts)


class SourceFilter(admin.SimpleListFilter):
    """By ImportSource, without the DISTINCT over every job that a field filter reads."""

    title = parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return ImportSource.choices

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "id", "file_name", "database", "source", "state", "progress", "created", "updated",
        "skipped", "merged", "failed", "created_by", "created_at",
    )  # fmt: skip
    list_display_links = ("id", "file_name")
    list_filter = ("state", SourceFilter, "database")
    list_select_related = ("database", "created_by")
    # Every API call is a job too: one COUNT of a large table per page is enough.
    show_full_result_count = False
    actions = None

    @admin.display(description="progress")
    def progress(self, job: ImportJob) -> str:
        return f"{job.percent}%"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and can_import(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_import(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a job changes through its pages' buttons only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # undo removes an import's work; purge removes its log

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:job_id>/mapping/", wrap(self.mapping_view), name=f"{name}_mapping"),
            path("<int:job_id>/status/", wrap(self.status_view), name=f"{name}_status"),
            path("<int:job_id>/report.csv", wrap(self.report_view), name=f"{name}_report"),
            path("<int:job_id>/undo/", wrap(self.undo_view), name=f"{name}_undo"),
            path("<int:job_id>/resume/", wrap(self.resume_view), name=f"{name}_resume"),
            *super().get_urls(),
        ]

    def _render(self, request: HttpRequest, template: str, title: str, **context: Any):
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title,
                   **context}  # fmt: skip
        return TemplateResponse(request, f"admin/imports/importjob/{template}", context)

    def _job(self, request: HttpRequest, job_id: Any, permissions=IMPORT_PERMISSIONS):
        _require(request, permissions)
        return get_object_or_404(_JOBS, pk=job_id)

    def _page_url(self, job: ImportJob) -> str:
        return reverse("admin:imports_importjob_change", args=[job.pk])

    # 1. Upload

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        _require(request, IMPORT_PERMISSIONS)
        form = forms.UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = services.upload_file(
                    database=data["database"], file=data["file"], actor=request.user,
                    encoding=data["encoding"], delimiter=data["delimiter"],
                )  # fmt: skip
            except InvalidInput as error:
                forms.add_service_errors(form, error.errors)
                messages.error(request, _messages_of(error))
            else:
                return HttpResponseRedirect(reverse("admin:imports_importjob_mapping",
                                                    args=[job.pk]))  # fmt: skip
        return self._render(request, "upload.html", "Import profiles: upload a file", form=form)

    # 2. Preview and mapping

    def mapping_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        if job.state != State.DRAFT or not job.file:
            messages.info(request, f"This import is {job.get_state_display().lower()}.")
            return HttpResponseRedirect(self._page_url(job))
        layout = self._layout(request, job)
        definitions = field_definitions(job.database)
        mapping = job.mapping if layout.headers == job.headers else []
        mapping = mapping or columns.guess_mapping(layout.headers, definitions)
        form = forms.MappingForm(request.POST or None, job=job, layout=layout, mapping=mapping,
                                 definitions=definitions)  # fmt: skip
        if request.method == "POST" and form.is_valid():
            try:
                services.configure_import(job=job, **form.options())
            except InvalidInput as error:
                form.add_service_errors(error.errors)
                messages.error(request, _messages_of(error))
            else:
                messages.success(request, "The import is queued; this page shows its progress.")
                return HttpResponseRedirect(self._page_url(job))
        elif request.method == "POST":
            messages.error(request, "Please correct the errors below.")
        delimiter = forms.delimiter_code(layout.delimiter)
        reread = forms.LayoutForm(
            initial={"encoding": layout.encoding, "delimiter": delimiter},
            encoding=layout.encoding, auto_id="reread_%s",
        )  # fmt: skip
        sample = _printable(layout.sample)
        examples = _examples(sample, len(layout.headers))
        return self._render(
            request, "mapping.html", f"Import profiles: map the columns of {job.file_name}",
            job=job, layout=layout, sample=sample, form=form, reread=reread,
            columns=list(zip(form.column_fields(), examples, strict=True)),
            delimiter_name=forms.DELIMITERS.get(delimiter),
        )  # fmt: skip

    def _layout(self, request: HttpRequest, job: ImportJob) -> Layout:
        """The file read as the page asks (?encoding=&delimiter=, or the posted form's
        hidden copies of them), else as it was read on upload."""
        source = request.POST if request.method == "POST" else request.GET
        encoding = source.get("encoding", "")
        delimiter = forms.delimiter_of(source.get("delimiter", ""))
        if encoding or delimiter:
            try:
                return services.file_layout(job, encoding=encoding, delimiter=delimiter)
            except FileProblem as problem:
                messages.error(request, f"{problem} The file is shown as read on upload.")
        return services.file_layout(job)

    # 3. The job page, its status, report, undo and resume

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        job = self._job(request, object_id if object_id.isdigit() else 0)
        if job.state == State.DRAFT:
            return HttpResponseRedirect(reverse("admin:imports_importjob_mapping", args=[job.pk]))
        stalled = selectors.minutes_without_progress(job)
        return self._render(
            request, "job.html", str(job), job=job, status=selectors.job_status(job),
            stalled_minutes=stalled, can_resume=job.state == State.FAILED or stalled is not None,
            undo_refusal=undo.undo_refusal(job), undo_deadline=undo.undo_deadline(job),
            can_undo=request.user.has_perms(UNDO_PERMISSIONS),
            is_moving=job.state not in FINISHED_STATES,
            mapping=_mapping_shown(job), report=selectors.report_page(job, request.GET.get("page")),
        )  # fmt: skip

    def status_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        return JsonResponse(selectors.job_status(self._job(request, job_id)))

    def report_view(self, request: HttpRequest, job_id: int) -> StreamingHttpResponse:
        job = self._job(request, job_id)
        response = StreamingHttpResponse(
            selectors.report_lines(job), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
        return response

    def undo_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """GET: what undo will do, or why it cannot; POST: undo (a task)."""
        job = self._job(request, job_id, UNDO_PERMISSIONS)
        refusal = undo.undo_refusal(job)
        if request.method == "POST" and not refusal:
            try:
                tasks.undo_import.delay(job.pk, request.user.pk)
            except InvalidInput as error:  # undone by someone else meanwhile
                messages.error(request, _messages_of(error))
            else:
                messages.success(request, "The import is being undone; this page shows when "
                                          "it is done.")  # fmt: skip
            return HttpResponseRedirect(self._page_url(job))
        if request.method == "POST":
            messages.error(request, refusal)
        return self._render(
            request, "undo.html", f"Undo {job}", job=job, refusal=refusal,
            undo_deadline=undo.undo_deadline(job),
        )  # fmt: skip

    @staticmethod
    def _resume_refusal(job: ImportJob) -> str:
        if job.state == State.FAILED or selectors.minutes_without_progress(job) is not None:
            return ""
        return "Only a failed import, or one that made no progress for 10 minutes, is resumed."

    @method_decorator(require_POST)
    def resume_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        refusal = self._resume_refusal(job)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(self._page_url(job))
        try:
            services.resume_import(job=job)
        except InvalidInput as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, "The import goes on after its last written row.")
        return HttpResponseRedirect(self._page_url(job))


def _printable(rows: list[list[str]]) -> list[list[str]]:
    """Sample cells with bytes invalid in the chosen encoding shown as �, not as the lone
    surrogates the reader keeps them in (which cannot be sent as UTF-8)."""
    return [
        [cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for cell in row]
        for row in rows
    ]


def _examples(sample: list[list[str]], width: int, count: int = 3) -> list[str]:
    """Per column, its first few distinct non-empty values, to help map it."""
    found: list[list[str]] = [[] for _ in range(width)]
    for row in sample:
        for position, cell in enumerate(row[:width]):
            value = cell.strip()
            if value and value not in found[position] and len(found[position]) < count:
                found[position].append(value[:40])
    return [", ".join(values) for values in found]


def _mapping_shown(job: ImportJob) -> list[tuple[str, str]]:
    labels = {target.name: target.label for target in columns.TARGETS.values()}
    return [
        (header, labels.get(target, target) if target else "(skipped)")
        for header, target in zip(job.headers, job.mapping, strict=False)
    ]


@admin.register(ScheduledImport)
class ScheduledImportAdmin(ServiceFormAdmin):
    """X4. Saving writes through `schedules.save_schedule`, which also creates or updates the
    beat entry that runs it; deleting removes both."""

    form = forms.ScheduledImportForm
    list_display = ("name", "database", "path", "interval_minutes", "enabled", "last_run_at",
                    "last_job_link", "has_error")  # fmt: skip
    list_filter = ("enabled", "database")
    list_select_related = ("database", "last_job")
    search_fields = ("name", "path")
    readonly_fields = ("last_run_at", "last_job_link", "last_error", "periodic_task")

    def get_fieldsets(self, request: HttpRequest, obj: ScheduledImport | None = None):
        main = [(None, {"fields": ["name", "enabled", "database", "path", "interval_minutes"]}),
                ("Reading and mapping", {"fields": ["encoding", "delimiter", "mapping"]}),
                ("Options", {"fields": ["matching", "skip_existing", "create_new", "detect_geo",
                                        "subscribe_resource", "subscribe_channel"]})]  # fmt: skip
        last = ("Last run", {"fields": list(self.readonly_fields)})
        return [*main, last] if obj else main

    @admin.display(description="last import")
    def last_job_link(self, schedule: ScheduledImport) -> str:
        if schedule.last_job is None:
            return "-"
        url = reverse("admin:imports_importjob_change", args=[schedule.last_job_id])
        return format_html('<a href="{}">{}</a>', url, schedule.last_job)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and can_import(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and can_import(request)

    @admin.display(description="error", boolean=True)
    def has_error(self, schedule: ScheduledImport) -> bool:
        return bool(schedule.last_error)

    def delete_model(self, request: HttpRequest, obj: ScheduledImport) -> None:
        schedules.delete_schedule(schedule=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for schedule in queryset:
            schedules.delete_schedule(schedule=schedule)

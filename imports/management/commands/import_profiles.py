"""manage.py import_profiles FILE --database ID --matching email [...] (X1), and --undo/--resume."""

import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from config.exceptions import InvalidInput
from profiles.models import ProfileDatabase
from subscriptions.models import Resource

from ... import services, undo
from ...columns import TARGETS
from ...models import ImportJob
from ...reading import AUTO


class Command(BaseCommand):
    help = (
        "Import profiles from a CSV file into a database, with a progress bar; or undo or "
        "resume an import. Columns are mapped by header name unless --map is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The CSV file.")
        parser.add_argument("--database", help="Database id or name.")
        parser.add_argument("--matching", default="email", help="email, phone, id or field:<name>.")
        parser.add_argument(
            "--map", action="append", default=[], metavar="HEADER=TARGET",
            help=f"Map a column, e.g. 'E-mail=email' or 'Age=fields.age'; '' skips it. "
                 f"Targets: {', '.join(TARGETS)}, fields.<name>.",
        )  # fmt: skip
        parser.add_argument("--encoding", default=AUTO, help="e.g. cp1251; default: detect.")
        parser.add_argument("--delimiter", default="", help="Default: detect.")
        parser.add_argument("--skip-existing", action="store_true")
        parser.add_argument("--no-create", action="store_true", help="Only update profiles.")
        parser.add_argument("--detect-geo", action="store_true", help="G2 from registration_ip.")
        parser.add_argument("--subscribe", metavar="RESOURCE:CHANNEL", help="e.g. 3:email.")
        parser.add_argument("--segment", default="", help="Put the imported profiles into a "
                            "new static segment of this name.")  # fmt: skip
        parser.add_argument("--report", help="Write the per-row report (CSV) to this file.")
        parser.add_argument("--undo", type=int, metavar="JOB", help="Undo import JOB.")
        parser.add_argument("--resume", type=int, metavar="JOB", help="Go on with import JOB.")

    def handle(self, *args, **options):
        self._started = time.monotonic()
        try:
            if options["undo"]:
                return self._undo(options["undo"])
            if options["resume"]:
                job = services.resume_import(job=self._job(options["resume"]), enqueue=False)
            else:
                job = self._start(options)
            job = services.run_import(job_id=job.pk, progress=self._progress)
        except InvalidInput as error:
            raise CommandError(_describe(error.errors)) from None
        self._finish(job, options["report"])

    def _start(self, options) -> ImportJob:
        if not options["file"] or not options["database"]:
            raise CommandError("Give the FILE and --database.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        database = self._database(options["database"])
        resource, channel = self._subscription(options["subscribe"])
        with path.open("rb") as stream:
            job = services.upload_file(
                database=database, file=File(stream, name=path.name),
                encoding=options["encoding"], delimiter=options["delimiter"],
            )  # fmt: skip
        mapping = self._mapping(job, options["map"])
        return services.configure_import(
            job=job, mapping=mapping, matching=options["matching"],
            skip_existing=options["skip_existing"], create_new=not options["no_create"],
            detect_geo=options["detect_geo"], subscribe_resource=resource,
            subscribe_channel=channel, segment_name=options["segment"],
            enqueue=False,  # run here, not also by a worker
        )  # fmt: skip

    def _database(self, ref: str) -> ProfileDatabase:
        database = ProfileDatabase.objects.filter(name=ref).first()
        if database is None and ref.isdigit():
            database = ProfileDatabase.objects.filter(pk=int(ref)).first()
        if database is None:
            raise CommandError(f"No profile database {ref!r}.")
        return database

    def _subscription(self, text: str | None) -> tuple[Resource | None, str]:
        if not text:
            return None, ""
        resource_id, _, channel = text.partition(":")
        resource = (
            Resource.objects.filter(pk=resource_id).first() if resource_id.isdigit() else None
        )
        if resource is None or not channel:
            raise CommandError(f"--subscribe wants RESOURCE_ID:CHANNEL; got {text!r}.")
        return resource, channel

    def _mapping(self, job: ImportJob, pairs: list[str]) -> list[str]:
        mapping = list(job.mapping)
        for pair in pairs:
            header, sep, target = pair.partition("=")
            if not sep or header not in job.headers:
                raise CommandError(f"--map {pair!r}: no column {header!r} in {job.headers}.")
            mapping[job.headers.index(header)] = target
        shown = ", ".join(
            f"{h} -> {t or '(skipped)'}" for h, t in zip(job.headers, mapping, strict=True)
        )
        self.stderr.write(f"Columns: {shown}")
        return mapping

    def _job(self, pk: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=pk).first()
        if job is None:
            raise CommandError(f"No import {pk}.")
        return job

    def _progress(self, job: ImportJob) -> None:
        width = 30
        done = int(width * job.percent / 100)
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = f" {job.rows_read / elapsed:,.0f} rows/s"
        bar = "#" * done + "." * (width - done)
        self.stderr.write(f"\r[{bar}] {job.percent:3d}% {job.rows_read:,} rows{rate}", ending="")
        self.stderr.flush()

    def _finish(self, job: ImportJob, report: str | None) -> None:
        self.stderr.write("")
        if report:
            from ...selectors import report_lines

            with open(report, "w", newline="", encoding="utf-8") as stream:
                stream.writelines(report_lines(job))
        self.stdout.write(
            f"Import {job.pk}: {job.rows_read} rows read, {job.created} created, "
            f"{job.updated} updated, {job.skipped} skipped ({job.merged} merged), "
            f"{job.failed} failed."
        )

    def _undo(self, pk: int) -> None:
        job = undo.undo_import(job=self._job(pk))
        summary = job.undo_summary
        self.stdout.write(
            f"Import {job.pk} undone: {summary['deleted']} profiles deleted, "
            f"{summary['restored']} restored, {summary['kept']} values changed since kept."
        )


def _describe(errors: dict) -> str:
    return "; ".join(f"{key}: {' '.join(map(str, value))}" for key, value in errors.items())

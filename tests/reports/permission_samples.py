def samples(process):
    from atout.reports.models import Report

    # A failed report: its page exists for every role allowed to see it; it has no file to download.
    report, _created = Report.objects.get_or_create(process=process, kind=Report.Kind.MONITORING, status=Report.Status.FAILED,
                                                    message="exemple pour les permissions")
    kwargs = {"slug": process.slug, "pk": report.pk}
    return {"reports:detail": kwargs, "reports:download": kwargs}

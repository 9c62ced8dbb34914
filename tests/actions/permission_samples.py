def samples(process):
    import datetime as dt

    from atout.actions.models import Action, Kpi, Milestone
    from atout.strategy.models import Evidence

    action, _created = Action.objects.get_or_create(process=process, code="exemple-permissions",
                                                    defaults={"title": "Action d'exemple"})
    evidence, _created = Evidence.objects.get_or_create(
        process=process, key="exemple-permissions",
        defaults={"kind": Evidence.Kind.DOCUMENT, "title": "Document d'exemple", "source": "test", "public": True})
    kwargs = {"slug": process.slug, "code": action.code}
    milestone, _created = Milestone.objects.get_or_create(action=action, title="Jalon d'exemple",
                                                          defaults={"date": dt.date(2027, 1, 1)})
    kpi, _created = Kpi.objects.get_or_create(
        process=process, action=action, indicator="exemple-permissions",
        defaults={"label": "Indicateur d'exemple", "baseline_value": 1, "baseline_year": 2020,
                  "target_value": 2, "target_year": 2030})
    by_kpi = {"slug": process.slug, "pk": kpi.pk}
    from atout.strategy.models import Objective

    objective, _created = Objective.objects.get_or_create(process=process, code="exemple-permissions",
                                                          defaults={"title": "Objectif d'exemple"})
    by_objective = {"slug": process.slug, "code": objective.code}
    return {
        "actions:action_edit": kwargs,
        "actions:kpi_edit": by_kpi,
        "actions:objective_edit": by_objective,
        "actions:objective_kpi_add": by_objective,
        "actions:milestone_add": kwargs,
        "actions:kpi_add": kwargs,
        "actions:milestone_change": {"slug": process.slug, "pk": milestone.pk},
        "actions:kpi_delete": by_kpi,
        "actions:measurement_add": by_kpi,
        "actions:action": kwargs,
        "actions:update": kwargs,
        "strategy:evidence": {"slug": process.slug, "pk": evidence.pk},
        "strategy:swot_export": {"slug": process.slug, "fmt": "odt"},
    }

def samples(process):
    from atout.actions.models import Action
    from atout.strategy.models import Evidence

    action, _created = Action.objects.get_or_create(process=process, code="exemple-permissions",
                                                    defaults={"title": "Action d'exemple"})
    evidence, _created = Evidence.objects.get_or_create(
        process=process, key="exemple-permissions",
        defaults={"kind": Evidence.Kind.DOCUMENT, "title": "Document d'exemple", "source": "test", "public": True})
    kwargs = {"slug": process.slug, "code": action.code}
    return {
        "actions:action": kwargs,
        "actions:update": kwargs,
        "strategy:evidence": {"slug": process.slug, "pk": evidence.pk},
    }

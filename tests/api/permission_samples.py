def samples(process):
    from django.contrib.auth import get_user_model

    from atout.api.models import ApiToken
    from atout.api.tokens import create_token

    owner = get_user_model().objects.get(username="habitant")
    token = ApiToken.objects.filter(user=owner, name="exemple-permissions").first()
    if token is None:
        token, _key = create_token(owner, "exemple-permissions", "read")
    return {
        "api:not_found": {"rest": "inexistant"},
        "api:token_revoke": {"token": token.pk},
    }

"""Version 1 of the REST API: the NinjaAPI instance and its routers.

Mounted at ``/api/v1/`` (OpenAPI description at ``/api/v1/openapi.json``; interactive docs at ``/api/docs``).
Within v1, changes are additive only (new endpoints, new optional parameters, new fields); anything that
would break a client goes to a ``/api/v2/`` served alongside v1 for at least a year.
"""


from ninja import Field, NinjaAPI, Schema
from ninja.renderers import JSONRenderer

from atout.processes.models import Process

from .core import (
    READ_ERRORS,
    REQUIRED_AUTH,
    AnonymousThrottle,
    TokenThrottle,
    install_error_handlers,
    token_of,
)
from .routers.actions import router as actions_router
from .routers.barometers import router as barometers_router
from .routers.fieldwork import router as fieldwork_router
from .routers.processes import router as processes_router
from .routers.sectors import router as sectors_router
from .routers.strategy import router as strategy_router
from .routers.territories import router as territories_router

DESCRIPTION = """Public data of atout — territories, indicators and observations, processes, survey results,
themes, opinion groups, actions and their progress — readable without a token; non-public data and
writes need a personal token sent as `Authorization: Bearer <token>` (create one under *Mon compte →
Jetons d'accès à l'API*). Lists are paginated with `limit` and `offset`. Every error has the shape
`{"error": {"code", "message", "details"}}`. See docs/api.md."""

class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # "Drôme", not "Dr\\u00f4me"


class AtoutAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable names (the view function's): "territories", "update_progress"…
        return operation.view_func.__name__


api = AtoutAPI(
    title="atout API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    docs_url=None,
    renderer=Renderer(),
    throttle=[AnonymousThrottle(), TokenThrottle()],
)
install_error_handlers(api)
api.add_router("", territories_router)
api.add_router("", processes_router)
api.add_router("", actions_router)
api.add_router("", barometers_router)
api.add_router("", fieldwork_router)
api.add_router("", sectors_router)
api.add_router("", strategy_router)


class MeOut(Schema):
    username: str
    token: str = Field(description="prefix of the token used")
    scopes: list[str]
    team_of: list[str] = Field(description="slugs of the processes where the user is on the team")
    admin: bool


@api.get("/me", auth=REQUIRED_AUTH, response={200: MeOut, **READ_ERRORS}, tags=["account"],
         summary="The token's user")
def me(request):
    """Who the token belongs to, its scopes and the processes its user may change."""
    token = token_of(request)
    user = token.user
    team = Process.objects.all() if user.is_superuser else Process.objects.filter(roles__user=user, roles__role="team")
    return {"username": user.get_username(), "token": token.prefix, "scopes": token.scopes,
            "team_of": sorted(set(team.values_list("slug", flat=True))), "admin": user.is_superuser}

"""English for the api app (msgids exactly as in code and templates)."""

T = {
# models and forms
"Lecture seule": "Read only", "Lecture et écriture": "Read and write", "utilisateur": "user", "nom": "name",
"À quoi sert ce jeton (script, tableau de bord…).": "What this token is for (script, dashboard…).",
"préfixe": "prefix", "portées": "scopes", "créé le": "created", "dernière utilisation": "last used",
"révoqué le": "revoked", "jeton d'API": "API token", "jetons d'API": "API tokens",
"Nom du jeton": "Token name", "À quoi il sert : « tableau de bord », « script d'import »…": "What it is for: “dashboard”, “import script”…",
"Portée": "Scope", "L'écriture n'agit que sur les démarches dont vous êtes membre de l'équipe.": "Writing only acts on the processes whose team you belong to.",
# views
"Jeton %(prefix)s révoqué : il ne donne plus accès à l'API.": "Token %(prefix)s revoked: it no longer gives access to the API.",
# account link
"Jetons d'accès à l'API": "API access tokens",
# docs page
"API : documentation interactive": "API: interactive documentation",
"L'API REST d'atout publie les territoires, indicateurs, démarches, résultats publics, thèmes, groupes d'opinion et actions. Les données publiques se lisent sans jeton ; l'écriture demande un jeton personnel.": "atout's REST API publishes territories, indicators, processes, public results, themes, opinion groups and actions. Public data is readable without a token; writing needs a personal token.",
"Description OpenAPI (JSON)": "OpenAPI description (JSON)", "Mes jetons d'accès à l'API": "My API access tokens",
"La documentation interactive a besoin de JavaScript ; la description OpenAPI ci-dessus se lit sans.": "The interactive documentation needs JavaScript; the OpenAPI description above does not.",
# tokens page
"Un jeton permet à un script ou à un outil d'utiliser l'API en votre nom : envoyez-le dans l'en-tête <code>Authorization: Bearer …</code>. Il donne accès à ce que vous voyez ; avec la portée « écriture », il peut aussi modifier les démarches dont vous êtes membre de l'équipe.": "A token lets a script or a tool use the API on your behalf: send it in the <code>Authorization: Bearer …</code> header. It gives access to what you can see; with the “write” scope it can also change the processes whose team you belong to.",
"Documentation de l'API": "API documentation", "Votre nouveau jeton": "Your new token",
"Copiez-le maintenant : il ne sera plus jamais affiché.": "Copy it now: it will never be shown again.",
"Jeton « %(name)s »": "Token “%(name)s”", "Créer un jeton": "Create a token", "Créer le jeton": "Create the token",
"Mes jetons": "My tokens", "Vos jetons, actifs puis révoqués": "Your tokens, active then revoked", "Nom": "Name",
"Préfixe": "Prefix", "Créé le": "Created", "Dernière utilisation": "Last used", "État": "State",
"lecture et écriture": "read and write", "lecture": "read", "Révoquer le jeton %(name)s": "Revoke the token %(name)s",
"Révoquer": "Revoke", "révoqué le %(date)s": "revoked on %(date)s", "Aucun jeton pour l'instant.": "No token yet.",
"Mon compte": "My account", "Fil d’Ariane": "Breadcrumb",
}

"""English for the security features of the web app: sign-in throttling and the journal (audit log)."""

T = {
# sign-in throttling
"Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minute.":
    ("Too many failed sign-in attempts. For security, try again in %(minutes)d minute.",
     "Too many failed sign-in attempts. For security, try again in %(minutes)d minutes."),
# audit log model
"création": "creation", "modification": "change", "suppression": "deletion", "import": "import",
"publication": "publication", "export": "export", "autre": "other", "date": "date", "utilisateur": "user",
"nom d'utilisateur": "username", "démarche": "process", "action": "action", "type d'objet": "object type",
"identifiant de l'objet": "object id", "libellé de l'objet": "object label", "champs modifiés": "changed fields",
"entrée du journal": "journal entry", "journal des actions": "journal of actions",
# journal page
"Journal des actions — %(title)s": "Journal of actions — %(title)s",
"Journal des actions": "Journal of actions",
"Journal des actions : qui a modifié quoi, et quand": "Journal of actions: who changed what, and when",
"Qui a modifié quoi, et quand : créations, modifications, suppressions, imports, publications et exports faits par l'équipe (dans le site ou en ligne de commande, utilisateur « cli »). Les réponses des participants et les données personnelles n'y figurent pas.":
    "Who changed what, and when: creations, changes, deletions, imports, publications and exports made by the team (on the site or on the command line, user “cli”). Participants' answers and personal data are not recorded.",
"Utilisateur": "User", "Tous": "All", "Action": "Action", "Toutes": "All", "Type d'objet": "Object type",
"Filtrer": "Filter",
"%(counter)s action enregistrée": ("%(counter)s recorded action", "%(counter)s recorded actions"),
"Date": "Date", "Objet": "Object", "Champs modifiés": "Changed fields",
"(modifié, valeur non conservée)": "(changed, value not kept)",
"Pages du journal": "Journal pages", "Plus récentes": "Newer", "Plus anciennes": "Older",
"Page %(number)s sur %(total)s": "Page %(number)s of %(total)s",
"Aucune action enregistrée pour ces critères.": "No recorded action matches these criteria.",
}

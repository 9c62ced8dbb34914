"""English for the opendata app (msgids exactly as in code and templates; plural entries as (singular, plural))."""

T = {
# views
"Cette démarche n'est pas publique.": "This process is not public.",
"Cette ressource n'existe pas.": "This resource does not exist.",
# package page
"Données ouvertes": "Open data",
"Les données de « %(title)s » en fichiers CSV réutilisables, décrits par un paquet de données Frictionless (datapackage.json : chaque colonne, son type et sa signification, les licences et les sources).":
    "The data of “%(title)s” as reusable CSV files, described by a Frictionless data package (datapackage.json: every column, its type and meaning, the licences and the sources).",
"Seulement des agrégats : aucune réponse individuelle, aucun vote, aucun texte libre de réponse, aucun nom ni adresse. Une case d'enquête de moins de 10 répondants n'est jamais publiée.":
    "Aggregates only: no individual response, no vote, no free-text answer, no name or address. A survey cell of fewer than 10 respondents is never published.",
"Démarche de démonstration : les réponses d'enquête et les votes sont simulés, les actions sont un exemple ; les fichiers le signalent colonne par colonne.":
    "Demonstration process: survey responses and votes are simulated, the actions are an example; the files say so column by column.",
"Télécharger tout le paquet (zip)": "Download the whole package (zip)",
"ZIP, %(size)s": "ZIP, %(size)s",
"Généré le %(created)s (UTC) ; régénéré au plus tard toutes les heures.": "Generated on %(created)s (UTC); regenerated at least every hour.",
"Fichiers du paquet": "Files of the package",
"%(n)s fichier": ("%(n)s file", "%(n)s files"),
"Fichier": "File", "Contenu": "Content", "Lignes": "Rows", "Licence": "Licence",
"Licences et sources": "Licences and sources",
"Les données de la démarche (enquêtes, thèmes, conversations, plan d'actions) sont publiées sous Licence Ouverte 2.0 (Etalab) : réutilisation libre, y compris commerciale, en citant la source et la date. Les données de l'INSEE et de la DGCL sont elles-mêmes sous Licence Ouverte 2.0. Quelques fichiers ont d'autres conditions, indiquées dans leur description : les citations des thèmes restent soumises aux conditions de leur plateforme d'origine, les conversations importées de pol.is sont sous CC BY 4.0, et les calculs de l'observatoire PTOD n'ont pas de licence déclarée.":
    "The process's own data (surveys, themes, conversations, action plan) are published under the Licence Ouverte 2.0 (Etalab): free reuse, commercial included, citing the source and the date. INSEE and DGCL data are themselves under the Licence Ouverte 2.0. A few files have other terms, stated in their description: theme quotes remain under the terms of their original platform, conversations imported from pol.is are under CC BY 4.0, and the PTOD observatory's computations carry no declared licence.",
# unavailable page
"Le paquet de données n'a pas pu être produit.": "The data package could not be produced.",
"L'équipe de la démarche doit corriger les données en cause ; la commande « atout opendata export » donne le détail. Le problème trouvé :":
    "The process team must correct the data at fault; the “atout opendata export” command gives the details. The problem found:",
# process home page
"Indicateurs, résultats agrégés des enquêtes, thèmes, groupes d'opinion et plan d'actions en fichiers CSV réutilisables.":
    "Indicators, aggregated survey results, themes, opinion groups and the action plan as reusable CSV files.",
}

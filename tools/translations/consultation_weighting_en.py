"""English for weighting a survey to the territory's INSEE margins (consultation app): French msgid → English."""

T = {
# services.py
"La population par sexe (et par sexe et âge) n'est pas dans les données INSEE hors ligne : la pondération INSEE ne peut pas porter sur le sexe. Pour pondérer aussi par sexe, déposez un fichier de marges.":
    "Population by sex (and by sex and age) is not in the offline INSEE data: INSEE weighting cannot use sex. To weight by sex as well, upload a margins file.",
"Choisissez au moins une variable de pondération parmi : %(v)s.": "Choose at least one weighting variable among: %(v)s.",
"Variable de pondération inconnue : %(v)s (possibles : %(ok)s).": "Unknown weighting variable: %(v)s (possible: %(ok)s).",
# views.py
"Pondération selon les marges INSEE impossible : %(e)s": "Weighting to the INSEE margins failed: %(e)s",
# templates/consultation/weighting.html
"Marges INSEE utilisées : parts de la population, des répondants avant pondération et parts pondérées atteintes":
    "INSEE margins used: population shares, respondents' shares before weighting and weighted shares achieved",
"Population (15 ans ou plus)": "Population (aged 15 and over)",
"Part de la population": "Share of the population",
"Part des répondants avant pondération": "Respondents' share before weighting",
"Part pondérée atteinte": "Weighted share achieved",
"Source": "Source",
"Pondérer selon un fichier de marges": "Weight to a margins file",
"Pondérer selon les marges INSEE du territoire": "Weight to the territory's INSEE margins",
"Marges de population tirées des données INSEE du territoire, sans fichier à déposer : %(insee_source)s. Seuls les répondants au profil complet pour les variables choisies sont pondérés.":
    "Population margins taken from the territory's INSEE data, with no file to upload: %(insee_source)s. Only respondents whose profile is complete for the chosen variables are weighted.",
"Variables de pondération": "Weighting variables",
"Non disponible": "Not available",
"Pondérer selon les marges INSEE": "Weight to the INSEE margins",
"Marges INSEE du territoire (avant pondération)": "The territory's INSEE margins (before weighting)",
"Retirer la pondération": "Remove the weighting",
}

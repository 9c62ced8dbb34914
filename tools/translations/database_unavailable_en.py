# The 503 page when the database is unavailable (atout.web.middleware.DatabaseUnavailable).
T = {
"Service momentanément indisponible": "Service temporarily unavailable",
"La base de données ne répond pas pour le moment. Réessayez dans quelques secondes : rechargez la page ou renvoyez le formulaire. Une réponse à un questionnaire n'est enregistrée que lorsque son numéro de reçu s'affiche.":
    "The database is not answering at the moment. Try again in a few seconds: reload the page or send the form again. A survey response is only recorded once its receipt number is shown.",
}

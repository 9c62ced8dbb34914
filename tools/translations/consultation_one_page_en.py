"""English translations of the one-page survey layout (consultation app): French msgid → English."""

T = {
"Une page par groupe de questions (reprise possible)": "One page per group of questions (can be resumed)",
"Toutes les questions sur une seule page": "Every question on one page",
"présentation": "layout",
"Présentation": "Layout",
"Sur une seule page, les réponses sont envoyées en une fois (rien n'est gardé avant l'envoi, pas de reprise plus tard) : pour les questionnaires courts et les pics de participation.":
    "On one page, the answers are sent at once (nothing is kept before sending, no resuming later): for short questionnaires and peaks of participation.",
"Toutes les questions sont sur cette page ; vos réponses sont enregistrées quand vous les envoyez, en une fois.":
    "Every question is on this page; your answers are recorded when you send them, all at once.",
"Vos réponses ouvrent d'autres questions : complétez-les puis envoyez.":
    "Your answers open other questions: complete them, then send.",
"J'ai lu les informations sur mes données et j'accepte de participer.":
    "I have read the information about my data and I agree to take part.",
"Vos données": "Your data",
}

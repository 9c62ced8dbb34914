"""English for stakeholder prioritisation: ranking, segment-balanced results, mode and compass weights."""

T = {
# models
"pilier de la boussole": "compass pillar",
"Domaine OCDE de la boussole d'attractivité que sert cette orientation : les priorités des acteurs pour l'orientation pondèrent ce pilier (docs/methods/composite.md).":
    "OECD domain of the attractiveness compass this orientation serves: the stakeholders' priorities for the orientation weight this pillar (docs/methods/composite.md).",
"rang": "rank", "classement des orientations": "ranking of the orientations",
"Répartition de 100 points": "Spreading 100 points", "Classement des orientations": "Ranking of the orientations",
"Les deux": "Both", "mode de priorisation": "prioritisation mode",
"réglages de la priorisation": "prioritisation settings",
# forms
"Donnez un rang à cette orientation.": "Give this orientation a rank.",
"Chaque rang de 1 à %(n)s doit être donné une seule fois : rang %(repeated)s donné plusieurs fois, rang %(missing)s manquant.":
    "Each rank from 1 to %(n)s must be given exactly once: rank %(repeated)s given more than once, rank %(missing)s missing.",
"Mode de priorisation proposé aux participants": "Prioritisation mode offered to participants",
# views
"Merci : votre classement est enregistré.": "Thank you: your ranking is saved.",
"Mode de priorisation enregistré.": "Prioritisation mode saved.",
"Choisissez un mode de priorisation.": "Choose a prioritisation mode.",
# rank page
"Classer les orientations": "Rank the orientations",
"Donnez le rang 1 à l'orientation qui compte le plus pour vous.":
    ("Give rank 1 to the orientation that matters most to you.",
     "Give rank 1 to the orientation that matters most to you, then 2, 3… up to %(n)s: each rank once."),
"Vous avez déjà répondu : un nouveau classement remplace le précédent.": "You have already answered: a new ranking replaces the previous one.",
"Enregistrer mon classement": "Save my ranking",
# priorities page
"Répartir mes 100 points": "Spread my 100 points",
"Données simulées : les réponses affichées ici ont été générées pour la démonstration, elles ne viennent pas de vraies personnes.":
    "Simulated data: the answers shown here were generated for the demonstration, they do not come from real people.",
"Deux lectures côte à côte : « chaque personne compte une fois » (non pondérée) et « profils à égalité », où chaque profil déclaré d'au moins 10 personnes pèse autant, quel que soit son nombre de répondants (les personnes sans profil déclaré en sont exclues). Les profils de moins de 10 personnes sont masqués (—).":
    "Two readings side by side: “each person counts once” (unweighted) and “profiles on an equal footing”, where each declared profile of at least 10 people weighs the same, whatever its number of respondents (people without a declared profile are left out). Profiles of fewer than 10 people are hidden (—).",
"%(n)s personne a réparti 100 points entre les orientations.":
    ("%(n)s person spread 100 points across the orientations.", "%(n)s people spread 100 points across the orientations."),
"Points moyens (chaque personne compte une fois)": "Mean points (each person counts once)",
"Points moyens (profils à égalité)": "Mean points (profiles on an equal footing)",
"Poids (profils à égalité)": "Weight (profiles on an equal footing)",
"%(n)s personne a classé les orientations.":
    ("%(n)s person ranked the orientations.", "%(n)s people ranked the orientations."),
"Score de Borda : n − rang (la première place rapporte n − 1 points, la dernière 0), moyenne sur les répondants ; poids = scores normalisés pour que leur somme fasse 1.":
    "Borda score: n − rank (first place earns n − 1 points, last place 0), averaged over respondents; weight = scores normalised to sum to 1.",
"Score de Borda moyen, part des premières places et poids par orientation": "Mean Borda score, share of first places and weight per orientation",
"Borda moyen": "Mean Borda", "Premières places": "First places",
"Borda moyen (profils à égalité)": "Mean Borda (profiles on an equal footing)",
"Score de Borda moyen par profil (profils de moins de 10 personnes masqués : —)": "Mean Borda score per profile (profiles of fewer than 10 people hidden: —)",
"Profils à égalité :": "Profiles on an equal footing:",
"Lecture « profils à égalité » indisponible : aucun profil déclaré ne compte 10 personnes.":
    "“Profiles on an equal footing” reading unavailable: no declared profile has 10 people.",
"Poids de la boussole selon les priorités": "Compass weights from the priorities",
"Poids des piliers de la boussole tirés des priorités (chaque personne compte une fois)": "Weights of the compass pillars from the priorities (each person counts once)",
"Pilier (domaine OCDE)": "Pillar (OECD domain)",
"Voir la boussole pondérée selon les priorités des acteurs": "See the compass weighted by the stakeholders' priorities",
"Pas encore de poids : il faut des réponses et des orientations rattachées à un pilier de la boussole.":
    "No weights yet: answers and orientations attached to a compass pillar are needed.",
"Mode de priorisation (équipe)": "Prioritisation mode (team)", "Enregistrer": "Save",
# compass (diagnostic app)
"Pondération des domaines": "Weighting of the domains", "égale": "equal",
"selon les priorités des acteurs": "by the stakeholders' priorities", "Afficher": "Show",
"Pas encore de priorités des acteurs rattachées aux piliers de la boussole : pondération égale affichée.":
    "No stakeholder priorities attached to the compass pillars yet: equal weighting shown.",
"Poids des domaines dans l'indice : selon les priorités des acteurs": "Weights of the domains in the index: by the stakeholders' priorities",
"Poids des domaines dans l'indice : égaux": "Weights of the domains in the index: equal",
"Poids": "Weight",
"Un score par domaine d'attractivité de l'OCDE, sur l'échelle des observatoires : 50 = le département moyen, 65 = un écart-type mieux que lui. Indicateurs publiés par le PTOD (INSEE, URSSAF, DVF) ; valeurs manquantes remplacées par la médiane des départements.":
    "One score per OECD attractiveness domain, on the observatories' scale: 50 = the average département, 65 = one standard deviation better. Indicators published by PTOD (INSEE, URSSAF, DVF); missing values replaced by the median département.",
"Poids tirés des <a href=\"%(url)s\">priorités des parties prenantes</a> : chaque orientation rattachée à un domaine lui apporte sa part ; les domaines sans orientation gardent le poids égal (docs/methods/composite.md).":
    "Weights from the <a href=\"%(url)s\">stakeholders' priorities</a>: each orientation attached to a domain brings it its share; domains without an orientation keep the equal weight (docs/methods/composite.md).",
}

"""Views of the consultation app, in two halves that share only the drawing of questionnaire pages:

- :mod:`.public`: answering, for anyone (no JavaScript needed: plain forms, POST/redirect/GET), and a
  signed-in respondent's own answers;
- :mod:`.team`: the team's back office (surveys, XLSForm, builder, invitations, quotas, results,
  weighting, exports);
- :mod:`.pages`: a questionnaire page as the templates draw it (answering and the team's preview);
- :mod:`.common`: the survey of the URL and the reader's language.

Every view states its access level with one decorator of :mod:`atout.core.access`.
"""

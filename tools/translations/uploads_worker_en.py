"""English for upload checks (atout.web.uploads)."""

T = {
"texte": "text", "fichier": "file",
"archive ZIP illisible": "unreadable ZIP archive",
"l'archive contient trop de fichiers (%(n)s)": "the archive holds too many files (%(n)s)",
"l'archive se décompresserait en un volume anormal": "the archive would expand to an abnormal size",
"nom de fichier dangereux dans l'archive : %(name)s": "dangerous file name in the archive: %(name)s",
"%(name)s : fichier trop lourd (%(size)s Mo ; %(limit)s Mo au plus).": "%(name)s: file too large (%(size)s MB; %(limit)s MB at most).",
"%(name)s : le fichier est vide.": "%(name)s: the file is empty.",
"%(name)s : %(problem)s.": "%(name)s: %(problem)s.",
"%(name)s : le contenu de ce fichier n'est pas du type attendu (%(expected)s).": "%(name)s: this file's content is not of the expected type (%(expected)s).",
}

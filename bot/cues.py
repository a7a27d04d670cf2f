"""The words that cue how a message is read (:mod:`bot.followups`) and which figure question it asks
(:mod:`bot.actions.figures`, :mod:`bot.actions.context`), English and Spanish side by side: each cue is one regular
expression whose alternatives are the English words, then the Spanish ones.

These are patterns of how people ask ("and Machinery?", "¿y maquinaria?", "where is it", "¿dónde queda?"), not names
of things: Centers, figures, periods and products are the entity rules' (``knowledge/``, :mod:`bot.nlp`). Spanish
is matched with or without its accents ("dónde" and "donde"), since users often leave them out.
"""

from __future__ import annotations

import re

from bot.vocab import REQUEST_WORDS, request_intent


def _cue(english: str, spanish: str, *, start: bool = False) -> re.Pattern[str]:
    """One case-blind pattern for a cue's English and Spanish words (``start``: only at the start of the message,
    after any punctuation such as "¿").
    """
    body = rf"\b({english}|{spanish})\b"
    return re.compile(rf"^\W*{body}" if start else body, re.IGNORECASE)


# The start of an elliptical follow-up or a correction: "and Machinery?", "no, I meant...", "¿y maquinaria?".
MARKER = _cue(
    r"and|what about|how about|what of|same|also|now|then|ok(ay)?|no|nope|not|sorry|oops|actually|i meant|"
    r"i mean|make that|make it|rather|instead|but|wrong|wait|my bad|typo|correction|scratch that|err?|um+|"
    r"compare (it|that|them|this)",
    r"y|qu[ée] tal|y qu[ée] tal|y (de|del|en|para|con)|igual|lo mismo|tambi[ée]n|ahora|entonces|vale|perd[óo]n|"
    r"disculp[ae]|mejor|m[áa]s bien|quise decir|quiero decir|me equivoqu[ée]|me confund[íi]|error|corrijo|"
    r"correcci[óo]n|espera|pero|"
    r"en vez|en lugar|no,? (era|es|quer[íi]a)|comp[áa]r[ae](lo|la|los|las)?",
    start=True,
)
# A word that refers back, or the start of an elliptical follow-up: "how long does it take?", "¿y eso cuánto tarda?".
REFERS_BACK = re.compile(
    r"\b(it|its|that|this|these|those|they|them|then|eso|esto|ello|ese|esa|esos|esas)\b"
    r"|^\W*(and|what about|how about|also|y|qu[ée] tal|y si|tambi[ée]n)\b",
    re.IGNORECASE,
)
TOTAL = _cue(r"total|altogether|all together|combined|sum", r"en total|sumad[oa]s|combinad[oa]s|juntos|suma")
RANKING = _cue(
    r"most|least|fewest|top|bottom|biggest|smallest|largest|highest|lowest|rank(ing)?",
    r"m[áa]s|menos|mayor(es)?|menor(es)?|m[áa]ximo|m[íi]nimo|primer lugar|[úu]ltimo lugar",  # not "clasificación": HTS
)
IMPORTER_FOLLOW_UP = _cue(
    r"partner|assigned|which cent(er|re)|what cent(er|re)",
    r"socio|asociad[oa]|asignad[oa]|qu[ée] centro|cu[áa]l centro",
)
CONTACT = _cue(
    r"phone|e-?mail|contact|director|call them|reach|address|website|web ?page|get in touch|"
    r"get a ?hold of|talk to someone|who runs|who heads|in charge",
    r"tel[ée]fono|tel|correo|contacto|contactar(los|las|lo|la)?|comunicarme|comunicarnos|(me|nos) comunic(o|amos)|"
    r"director(a)?|direcci[óo]n|"
    r"p[áa]gina|sitio web|llamar(les|los)?|hablar con alguien|qui[ée]n (lo |la )?dirige|a cargo|encargad[oa]",
)
# A number called an importer's: "which center is importer 12345", "el importador 12345".
IMPORTER_NUMBER = re.compile(
    r"\b(importer|ior|importador)\b.*?(?=\S*\d\S*\d\S*\d)|(?=\S*\d\S*\d\S*\d)\S+.*\b(importer|ior|importador)\b",
    re.IGNORECASE,
)
# A number said to be an importer's, right after the words: "my IOR is 5555", "importer no. 12345", "mi IOR es 5555".
NUMBER_CALLED_IMPORTERS = re.compile(
    r"\b(importer|ior|importador)(\s+(number|no\.?|#|n[úu]mero|num))?(\s+(is|es|de|del))?\s*[:#]?\s*\d",
    re.IGNORECASE,
)
WHO_HANDLES = re.compile(
    r"\b(which|what|who)\b.{0,30}?\b(handles?|handling|covers?|process(es)?|deals? with|"
    r"takes? care of|looks? after|is responsible for|is in charge of)\b"
    r"|(\b(qu[ée]|q|cu[áa]l)\s+(centro|cee)s?|\bqui[ée]n(es)?)\b.{0,30}?\b(maneja[n]?|se encarga|encarga|atiende[n]?|"
    r"lleva[n]?|ve[n]?|cubre[n]?|procesa[n]?|revisa[n]?|toca|le toca|corresponde|es responsable)\b"
    r"|\ba\s+(qu[ée]|q|cu[áa]l)\s+(centro|cee)\b"
    r"|\b(cent(er|re)|cee)s?\s+(handles?|covers?|deals? with|takes? care of)\b",  # "wchh center handles machinary"
    re.IGNORECASE,
)
STARTS_A_REQUEST = re.compile(
    "|".join(
        [
            *REQUEST_WORDS.values(),
            r"\b(sign\w*|request\w*|start\w*|instead|new|another)\b",
            r"\b(solicit\w*|ped(ir|ido)|pido|(quiero|quisiera)(?!\s+(saber|conocer|preguntar|averiguar|consultar))|inscrib\w*|registr\w*|an[óo]t\w*|inici\w*|empez\w*|"
            r"nuev[oa]|otr[oa])\b",
        ]
    ),
    re.IGNORECASE,
)
# A message that opens by asking for something to be done: "sign us up for...", "anótame para...", "queremos que...".
REQUEST_OPENING = _cue(
    r"(please\s+)?(sign (me|us) up|put (me|us) down|enroll|register (me|us)|schedule|book|set up|"
    r"(i|we)( would|'d)? (want|need|like) (a|an|to (request|schedule|book|sign|set|get))|can (you|someone) (set|book))",
    r"(por favor\s+)?(an[óo]ta(me|nos)|ap[úu]nta(me|nos)|inscr[íi]be(me|nos)|reg[íi]stra(me|nos)|"
    r"agend\w*|program\w*|pedir|solicitar|"
    r"(quiero|queremos|quisiera|quisi[ée]ramos|necesito|necesitamos) (una|un|que|pedir|solicitar|agendar|programar))",
    start=True,
)
NAMES_A_REQUEST = {request_intent(kind): re.compile(words, re.IGNORECASE) for kind, words in REQUEST_WORDS.items()}
# A question about requests, not a request: "what should go in a change request", "¿qué debo poner en la solicitud?".
ASKS_ABOUT = re.compile(
    r"^\W*((what|why|when|who)\b(?!.{0,40}\b(you|u)\b)"
    r"|(qu[ée] (debo|hay que|tengo que|necesito|se necesita|lleva|incluy)|por qu[ée]|cu[áa]ndo|qui[ée]n)\b)",
    re.IGNORECASE,
)
# A question about a request's process ("what's the process to get moved", "¿cuál es el procedimiento para
# solicitar el cambio?"), anywhere in the message: an FAQ, not a request to start one.
ASKS_THE_PROCESS = re.compile(
    r"\b(what('?s| is| are)|whats|how does|explain)\s+(the|your)\s+(process|procedure|steps)\b"
    r"|\b(cu[áa]l(es)? (es|son)|c[óo]mo es|qu[ée] es|expl[íi]ca\w*)\s+(el|la|los|las)\s+"
    r"(procedimiento|proceso|tr[áa]mite|pasos)\b",
    re.IGNORECASE,
)
# Starting something now: "please start a change request. what are the steps after that?" is a request.
BEGIN = _cue(r"start|begin|open|file|submit", r"empie\w*|empez\w*|inici\w*|comenz\w*|abr[ei]\w*|present\w*")
# The asker's own request, or its progress: "what's the status of my request", "¿cómo va mi solicitud?".
OWN_REQUEST = re.compile(
    r"\b(i|me|we|us|my|our|mine|status|progress|mi|mis|nos|nuestr[oa]s?|estado|novedad(es)?|avance|seguimiento)\b",
    re.IGNORECASE,
)
ABOUT = _cue(
    r"info\w*|about|details|describe|what('?s| is| are)|whats|tell me|explain",
    r"informaci[óo]n|acerca|sobre|detalles|describ\w*|qu[ée] es|cu[ée]ntame|h[áa]blame|expl[íi]ca\w*",
)
CANCEL = re.compile(
    r"^\W*((ok(ay)?|actually|no|please|just|sorry|wait|hmm+|mejor|pues|perd[óo]n|espera|por favor)\W+)*"
    r"(cancel|stop|quit|abort|never ?mind|forget (it|this|that)|cancela\w*|basta|d[ée]jalo|olv[íi]d(a|e)lo|"
    r"ya no|no importa)\b",
    re.IGNORECASE,
)
# "where is that cee", "¿dónde queda ese centro?": where a Center is, and nothing else.
WHERE_IS = _cue(
    r"where|located|location|based|headquartered|city",
    r"d[óo]nde|ubicad[oa]|ubicaci[óo]n|queda|sede|ciudad",
)
# fmt: off
WHERE_WORDS = frozenset((
    "where", "whereabouts", "is", "are", "s", "it", "its", "that", "thats", "this", "they", "them", "their",
    "the", "those", "center", "centre", "cee", "one", "office", "located", "location", "based", "headquartered",
    "hq", "city", "what", "which", "in", "at", "of", "exactly", "again", "so", "and", "ok", "oh", "um", "hmm",
    "then", "actually", "remind", "me", "tell",
    "dónde", "donde", "está", "esta", "están", "estan", "queda", "quedan", "el", "la", "los", "las", "ese", "esa",
    "este", "centro", "oficina", "ubicado", "ubicada", "ubicación", "ubicacion", "sede", "ciudad", "en", "qué",
    "que", "cuál", "cual", "es", "su", "sus", "exactamente", "de", "nuevo", "y", "entonces", "tiene", "me",
    "recuerdas", "dime", "pues", "ah", "eh",
))
FILLER_WORDS = frozenset((
    "the", "a", "one", "for", "at", "in", "of", "please", "pls", "then", "so", "hmm", "um",
    "el", "la", "los", "las", "un", "una", "de", "del", "en", "para", "por", "favor", "entonces", "pues", "eh",
))
# fmt: on
CENTER_WORD = _cue(r"cent(er|re)s?|cees?", r"centros?")
# "what center is my company assigned to", "¿en qué centro estamos?": the asker's own Center, without the number.
MY_CENTER = re.compile(
    r"^\W*(which|what|wat|wich)\s+(cent(er|re)|cee)s?\b(?!.*\b(handles?|covers?|products?|goods|items?|stuff)\b)"
    r".*\b(i|we|my|our|us|me)\b"
    r"|\b(find|look ?up|check)\b.*\b(cent(er|re)|cee)\b.*\b(importer|ior)\b"
    r"|\b(find|look ?up|check)\b.*\b(my|our)\s+(importer|ior)'?s?\b.*\b(cent(er|re)|cee)\b"
    r"|\b(importer|ior)\b.*\b(find|look ?up|check)\b.*\b(cent(er|re)|cee)\b"
    r"|^\W*(en\s+)?(qu[ée]|cu[áa]l)\s+(centro|cee)\b(?!.*\b(maneja\w*|productos?|mercanc\w*|art[íi]culos?)\b)"
    r".*\b(me|mi|mis|nos|nuestr[oa]s?|estoy|estamos|soy|somos|tengo|tenemos|pertenezco|pertenecemos)\b"
    r"|\b(buscar|busca|buscame|b[úu]scame|consultar|ver)\b.*\b(centro|cee)\b.*\b(importador|ior)\b",
    re.IGNORECASE,
)
# A figure asked for: "how many importers r at the cee", "¿cuántos importadores tiene el centro?".
FIGURE_ASKED = _cue(
    r"how many|number of|count of|figures?|stats|statistics|total",
    r"cu[áa]nt[oa]s?|n[úu]mero de|cantidad de|cifras?|estad[íi]sticas?|total",
)
THE_CENTER = _cue(
    r"(the|that|this|my|our|your|each|a|per)\s+(cent(er|re)|cee)",
    r"(el|ese|este|mi|nuestro|su|cada|un|por)\s+(centro|cee)",
)
# "which center handles our product line", "¿qué centro ve nuestros productos?": the product still to be named.
UNNAMED_PRODUCT = re.compile(
    r"\b(which|what|wat|wich)\s+(cent(er|re)|cee)\b.{0,25}?\b(products?|items?|goods|stuff|merchandise|"
    r"(hts|tariff|commodity) (codes?|numbers?))\b"
    r"|\b(cent(er|re)|cee)\s+(for|handling|that handles)\s+(one of\s+)?(my|our|the|this|these|those)\s+"
    r"(products?|items?|goods|stuff|merchandise)\b"
    r"|\b(centro|cee)\s+(de|del|para|que maneja)\s+(uno de\s+)?(un|una|mi|mis|nuestr[oa]s?|este|esta|estos|estas)\s+"
    r"(productos?|art[íi]culos?|mercanc[íi]as?|mercader[íi]as?)\b"
    r"|\b(qu[ée]|cu[áa]l)\s+(centro|cee)\b.{0,25}?\b(productos?|art[íi]culos?|mercanc[íi]as?|mercader[íi]as?|"
    r"(c[óo]digos?|n[úu]meros?|fracci[óo]n(es)?) (hts|arancelari[oa]s?))\b",
    re.IGNORECASE,
)
# The bot's own answers talked about: "if you tell me which center handles my product, is that official?", "how
# official are your answers about...", "¿lo que me dices de qué centro maneja un producto aguanta...?": a question
# about the answers (an FAQ), not the question they answer.
YOUR_ANSWERS = _cue(
    r"(if|what|whatever)\s+(you|u)\s+(tell|say|told|said)|your\s+(answers?|replies|reply)",
    r"(si|lo que)\s+(me\s+)?(dices|dice|dijiste|dijo|respondes)|(tus|sus)\s+respuestas|tu\s+respuesta",
)
WORD = re.compile(r"[^\W\d_]+")  # a word of letters, accented or not


# -- figure questions (bot/actions/figures.py, bot/actions/context.py) -------------------------------------------------
# "entries by Center", "per CEE", "all the Centers", "por centro", "todos los centros"; not "handled by the Center".
EVERY_CENTER = re.compile(
    r"\b(each|every|all|per)\s+(the\s+)?(cent(er|re)s?|cees?)\b|\bby\s+(cent(er|re)|cee)s?\b|\bcent(er|re)s\b"
    r"|\b(cada|todos los|por)\s+(centros?|cees?)\b|\bcentros\b",
    re.IGNORECASE,
)
# "the numbers of the Chicago center", "las cifras del centro": its figures, none named (not "its phone numbers").
FIGURES_WORD = _cue(r"figures|numbers|stats|statistics", r"cifras|n[úu]meros|estad[íi]sticas")
# "which center", "¿cuál centro?": a question about the Centers themselves (with SUPERLATIVE: a ranking of its own).
WHICH_CENTER = _cue(r"(which|what)\s+(cent(er|re)|cee)s?", r"(qu[ée]|cu[áa]l)(es)?\s+(centro|cee)s?")
SUPERLATIVE = _cue(
    r"most|least|fewest|top|bottom|biggest|smallest|largest|greatest|highest|lowest|busiest|leads?|leading|"
    r"rank\w*|more|less|best|worst|max\w*|min\w*",
    r"m[áa]s|menos|mayor(es)?|menor(es)?|m[áa]xim\w*|m[íi]nim\w*|clasifica\w*|primer lugar|[úu]ltimo lugar|"
    r"mejor|peor",
)
# "over time", "the trend", "how has it changed", "la tendencia", "cómo ha cambiado": one Center's figure over time.
OVER_TIME = re.compile(
    r"\b(over (the )?(time|years|quarters)|trends?|trending|history|historic\w*|year over year|quarter over quarter|"
    r"(past|last) (few |\d+ |two |three |four |eight )?(quarters|years)|(grown|grow|grew|changed|declined)\b)"
    r"|\b(tendencia|evoluci[óo]n|hist[óo]ric\w*|a lo largo del tiempo|con el tiempo|trimestre (a|por) trimestre|"
    r"(los )?([úu]ltimos|pasados) (\d+ |dos |tres |cuatro |ocho )?(trimestres|a[ñn]os)|"
    r"(ha |han )?(crecido|cambiado|bajado|subido|disminuido|aumentado))\b",
    re.IGNORECASE,
)
# "total", "overall", "combined", "en total", "entre todos": a figure added up across the Centers.
ADDED_UP = _cue(
    r"total|overall|altogether|all together|combined|in all|sum",
    r"en total|sumad[oa]s|combinad[oa]s|en conjunto|entre todos|suma",
)
ONE_CENTER = re.compile(
    r"\b((the|my|our|this|that|their|its)\s+(cent(er|re)|cee)|(el|mi|nuestro|este|ese|su)\s+(centro|cee))\b(?!s)",
    re.IGNORECASE,
)
COMPARE = _cue(
    r"compare\w*|vs\.?|versus|than|against|side by side",
    r"comp[áa]r\w*|contra|frente a|lado a lado|m[áa]s que|menos que",
)
NOT = _cue(r"not|no|instead|wrong", r"en vez|en lugar|equivocad[oa]|otro")

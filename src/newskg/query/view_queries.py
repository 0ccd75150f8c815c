"""The SPARQL behind the typed views (:mod:`newskg.query.views`), one query per question."""

from __future__ import annotations

NODE_EVIDENCE = """
SELECT DISTINCT ?node ?ev ?exact ?start ?end ?article ?sentence WHERE {
  { ?node nkg:evidence ?ev } UNION { ?fact nkg:evidence ?ev . ?fact ?p ?node . }
  ?ev oa:hasSource ?article ;
      oa:hasSelector ?q, ?pos .
  ?q oa:exact ?exact .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev nkg:inSentence/schema:text ?sentence }
}
"""

EVIDENCE = """
SELECT ?cls ?fact ?ev ?exact ?start ?end ?article ?sentence WHERE {
  ?fact a ?cls ; nkg:evidence ?ev .
  ?ev oa:hasSource ?article ; oa:hasSelector ?q, ?pos .
  ?q oa:exact ?exact .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev nkg:inSentence/schema:text ?sentence }
}
"""

# ?cls: the class of the events asked for (nkg:Event, nkg:Meeting…)
EVENTS = """
SELECT ?cls ?e ?label ?kind ?date ?end ?mode ?place ?placeLabel ?summary WHERE {
  ?e a ?cls ; a ?k ; rdfs:label ?label .
  ?k rdfs:subClassOf nkg:Event ; skos:notation ?kind .
  FILTER(?k != nkg:Event)
  OPTIONAL { ?e schema:description ?summary }
  OPTIONAL { ?e schema:startDate ?date }
  OPTIONAL { ?e schema:endDate ?end }
  OPTIONAL { ?e nkg:attendanceMode/skos:notation ?mode }
  OPTIONAL { ?e schema:location ?place . ?place rdfs:label ?placeLabel }
}
"""

ORGANISERS = """
SELECT ?e ?who ?name WHERE {
  ?e a nkg:Event ; nkg:organiser ?who .
  ?who rdfs:label ?name .
}
"""

TOPICS = """
SELECT ?e ?topic ?name WHERE {
  ?e a nkg:Event ; nkg:topic ?topic .
  ?topic rdfs:label ?name .
}
"""

# ?cls: the class of the facts whose participations are asked for
ROLES = """
SELECT ?cls ?fact ?person ?name ?role ?post ?postLabel WHERE {
  ?fact a ?cls ; nkg:participation ?part .
  ?part nkg:participant ?person ; nkg:role/skos:notation ?role .
  ?person rdfs:label ?name .
  OPTIONAL { ?part nkg:capacity ?post . ?post rdfs:label ?postLabel }
}
"""

AGREEMENTS = """
SELECT ?a ?label ?kind ?party ?partyLabel ?signed ?place ?placeLabel ?term ?from ?until
       ?event ?eventLabel WHERE {
  ?a a nkg:Agreement ; a ?k ; rdfs:label ?label .
  ?k rdfs:subClassOf* nkg:Agreement ; skos:notation ?kind .
  FILTER NOT EXISTS { ?a a ?sub . ?sub rdfs:subClassOf ?k . FILTER(?sub != ?k) }
  OPTIONAL { ?a nkg:party ?party . ?party rdfs:label ?partyLabel }
  OPTIONAL { ?a nkg:dateSigned ?signed }
  OPTIONAL { ?a schema:location ?place . ?place rdfs:label ?placeLabel }
  OPTIONAL { ?a nkg:term ?term }
  OPTIONAL { ?a schema:validFrom ?from }
  OPTIONAL { ?a schema:validThrough ?until }
  OPTIONAL { ?a nkg:atEvent ?event . ?event rdfs:label ?eventLabel }
}
"""

FIGURES = """
SELECT ?cls ?of ?f ?measure ?value ?comparator ?unit ?asOf ?target ?by ?speaker ?speakerLabel
WHERE {
  ?of a ?cls ; nkg:hasFigure ?f .
  ?f nkg:measure ?measure ; schema:value ?value .
  BIND(EXISTS { ?f a nkg:Target } AS ?target)
  OPTIONAL { ?f nkg:comparator/skos:notation ?comparator }
  OPTIONAL { ?f schema:unitText ?unit }
  OPTIONAL { ?f nkg:asOf ?asOf }
  OPTIONAL { ?f nkg:targetDate ?by }
  OPTIONAL { ?f nkg:speaker ?speaker . ?speaker rdfs:label ?speakerLabel }
}
"""

PROGRAMMES = """
SELECT ?p ?label ?provider ?providerLabel ?founded ?place ?placeLabel WHERE {
  ?p a nkg:TrainingProgramme ; rdfs:label ?label .
  OPTIONAL { ?p schema:provider ?provider . ?provider rdfs:label ?providerLabel }
  OPTIONAL { ?p schema:foundingDate ?founded }
  OPTIONAL { ?p schema:foundingLocation ?place . ?place rdfs:label ?placeLabel }
}
"""

QUOTES = """
SELECT ?speaker ?q ?text ?speakerLabel ?meeting ?meetingLabel WHERE {
  ?q a nkg:Quote ; schema:text ?text ; nkg:speaker ?speaker .
  ?speaker rdfs:label ?speakerLabel .
  OPTIONAL { ?q nkg:during ?meeting . ?meeting rdfs:label ?meetingLabel }
}
"""

POST_HOLDERS = """
SELECT ?post ?postLabel ?person ?name ?asOf ?from ?until ?stated ?article WHERE {
  {
    ?h a nkg:PostHolding ; nkg:post ?post ; nkg:postHolder ?person ; nkg:asOf ?asOf ;
       prov:wasDerivedFrom ?article .
    ?post rdfs:label ?postLabel .
    ?person rdfs:label ?name .
    OPTIONAL { ?h schema:startDate ?from }
    OPTIONAL { ?h schema:endDate ?until }
    BIND(true AS ?stated)
  } UNION {
    # The date of the event or signing as the same article gives it. Required patterns
    # precede the OPTIONALs: joined after a left join, they make Oxigraph re-run it per row.
    GRAPH ?g {
      ?part a nkg:Participation ; nkg:capacity ?post ; nkg:participant ?person ;
            nkg:participationIn ?fact ; prov:wasDerivedFrom ?article .
    }
    ?article schema:datePublished ?published .
    ?post rdfs:label ?postLabel .
    ?person rdfs:label ?name .
    OPTIONAL { GRAPH ?g { ?fact schema:startDate ?start } }
    OPTIONAL { GRAPH ?g { ?fact nkg:dateSigned ?signed } }
    BIND(COALESCE(?start, ?signed, ?published) AS ?asOf)
    BIND(false AS ?stated)
  }
}
"""

TIMELINE = """
SELECT DISTINCT ?entity ?fact ?class ?property ?label ?article ?date WHERE {
  # Each article's statements in its own graph, with the date that article gives.
  GRAPH ?g { ?fact prov:wasDerivedFrom ?article ; ?property ?entity . }
  FILTER(?property != prov:wasDerivedFrom)
  FILTER NOT EXISTS { ?fact a nkg:Participation }
  ?fact a ?class .
  FILTER(STRSTARTS(STR(?class), STR(nkg:)))
  FILTER NOT EXISTS { ?fact a ?sub . ?sub rdfs:subClassOf ?class . FILTER(?sub != ?class) }
  ?article schema:datePublished ?published .
  FILTER NOT EXISTS {
    ?narrower rdfs:subPropertyOf ?property .
    FILTER(?narrower != ?property)
    GRAPH ?g { ?fact ?narrower ?entity }
  }
  OPTIONAL { GRAPH ?g { ?fact schema:startDate ?start } }
  OPTIONAL { GRAPH ?g { ?fact nkg:dateSigned ?signed } }
  OPTIONAL { GRAPH ?g { ?fact nkg:asOf ?asOf } }
  OPTIONAL { GRAPH ?g { ?fact nkg:during ?event . ?event schema:startDate ?during } }
  BIND(STR(COALESCE(?start, ?signed, ?asOf, ?during, ?published)) AS ?date)
  OPTIONAL { ?fact rdfs:label|nkg:content|schema:text|nkg:measure|nkg:purpose ?label }
}
"""

"""Reading a built graph: SPARQL with bound values, traversal, typed views, saved queries,
result rendering and pictures."""

module facet.dev/facet

go 1.19

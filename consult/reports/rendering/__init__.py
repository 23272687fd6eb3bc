"""The report rendered: its figures (one module per chart, what they share in
`svg`, the dispatch by kind in `figures`) and its downloads (`exports`)."""

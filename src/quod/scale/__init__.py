"""Scale: distributed proof search on Ray (portfolio, cube-and-conquer) and a result/lemma store."""

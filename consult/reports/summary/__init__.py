"""The summary of a consultation: a background run reads it in bulk
(`loader`), computes the figures with the pure functions of consult.analysis
(`computing`), step by step (`stages`, `progress`), and stores the result
(`running`); `services` starts runs, `selectors` reads them."""

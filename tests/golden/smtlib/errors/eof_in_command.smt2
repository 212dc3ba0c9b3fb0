(set-logic QF_LIA)
(get-value (1 2)

(set-logic QF_LIA)
(check-sat))
